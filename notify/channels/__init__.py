"""One module per service; ``build_channel`` makes the configured one."""
