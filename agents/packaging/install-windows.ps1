# Offline install of pdcs-agent on a Windows terminal or kiosk (run as Administrator).
# The Windows bundle holds: python\ (the embeddable CPython 3.11 x64), wheels\ (win_amd64),
# pdcs-agent.exe (WinSW-x64 renamed), pdcs-agent.xml, agent.example.yaml.
$ErrorActionPreference = "Stop"
$here = Split-Path -Parent $MyInvocation.MyCommand.Path
$prefix = Join-Path $env:ProgramFiles "pdcs-agent"
$data = Join-Path $env:ProgramData "pdcs-agent"

if (Get-Service pdcs-agent -ErrorAction SilentlyContinue) { & "$prefix\pdcs-agent.exe" stop | Out-Null }
New-Item -ItemType Directory -Force -Path $prefix, $data, "$data\spool", "$data\logs" | Out-Null
Copy-Item -Recurse -Force "$here\python" $prefix
Remove-Item -Recurse -Force "$prefix\lib" -ErrorAction SilentlyContinue
New-Item -ItemType Directory -Force -Path "$prefix\lib" | Out-Null
Add-Type -AssemblyName System.IO.Compression.FileSystem
Get-ChildItem "$here\wheels\*.whl" | ForEach-Object {
    [System.IO.Compression.ZipFile]::ExtractToDirectory($_.FullName, "$prefix\lib")
}
Copy-Item -Force "$here\pdcs-agent.exe", "$here\pdcs-agent.xml" $prefix
if (-not (Test-Path "$data\agent.yaml")) {
    (Get-Content -Encoding UTF8 "$here\agent.example.yaml") -replace "/var/lib/pdcs-agent", ($data -replace "\\", "/") |
        Set-Content -Encoding UTF8 "$data\agent.yaml"
    Write-Host "pdcs-agent: wrote $data\agent.yaml - set device: to the inventory id"
}
& "$prefix\pdcs-agent.exe" install
& "$prefix\pdcs-agent.exe" start
# Let only the county collector scrape the agent; edit -RemoteAddress for your network.
New-NetFirewallRule -DisplayName "pdcs-agent 9750" -Direction Inbound -Protocol TCP -LocalPort 9750 `
    -Action Allow -RemoteAddress LocalSubnet -ErrorAction SilentlyContinue | Out-Null
& "$prefix\python\python.exe" -s -c "import sys; sys.path.insert(0, r'$prefix\lib'); import agents; print('pdcs-agent', agents.__version__)"
