from pdcs.cli import main

main()
