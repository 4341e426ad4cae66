# ofbackup-backup.ps1 - the ofbackup daily job ("scheduled"), with its output and exit code logged.
<#
.SYNOPSIS
    Runs "ofbackup scheduled" and appends its output and exit code to a log file.

.DESCRIPTION
    "ofbackup scheduled" itself writes <folder>\<name>-<Weekday>.zip as [schedule] in
    ofbackup.ini says: the new package replaces last week's file of that weekday only
    once it is complete and has verified, then goes to the offsite targets ([copy.NAME]).
    This wrapper is only needed where the output of the run should go to a file of its
    own; the task in ofbackup-task.xml can run ofbackup.exe directly.

    The script exits with ofbackup's exit code, which Task Scheduler shows as
    "Last Run Result":
        0  ok
        1  backup failed (last week's file of the weekday is kept)
        2  usage or configuration error (e.g. a mistake in ofbackup.ini)
        3  finished with warnings (a client skipped or failed, an offsite copy failed)
        4  another ofbackup run holds the installation

.EXAMPLE
    Register as a daily task at 02:30 running as SYSTEM (administrator prompt):

    schtasks /Create /TN "ofbackup daily job" /SC DAILY /ST 02:30 /RU SYSTEM /RL HIGHEST /TR "powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\ProgramData\ofbackup\ofbackup-backup.ps1"

    or import ofbackup-task.xml and change its action as described there.
#>
[CmdletBinding()]
param(
    # ofbackup.exe; adjust to where it is installed.
    [string]$Exe = 'C:\Program Files\ofbackup\ofbackup.exe',
    [string]$Config = 'C:\ProgramData\ofbackup\ofbackup.ini',
    [string]$Log = 'C:\ProgramData\ofbackup\ofbackup-backup.log'
)

# Native programs report failure through their exit code, and with 'Stop' Windows
# PowerShell 5.1 would abort on the first line ofbackup writes to stderr.
$ErrorActionPreference = 'Continue'

$meaning = @{
    0 = 'ok'
    1 = 'backup failed'
    2 = 'usage or configuration error'
    3 = 'finished with warnings'
    4 = 'another run holds the installation'
}

function Write-Log([string]$Text) {
    $stamp = Get-Date -Format 'yyyy-MM-dd HH:mm:ss'
    Add-Content -LiteralPath $Log -Encoding UTF8 -Value "$stamp $Text"
}

$logFolder = Split-Path -Parent $Log
if ($logFolder -and -not (Test-Path -LiteralPath $logFolder)) {
    New-Item -ItemType Directory -Force -Path $logFolder | Out-Null
}

if (-not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
    Write-Log "ofbackup not found at '$Exe'; set -Exe to the installed ofbackup.exe (exit code 2)"
    exit 2
}

Write-Log "start: ofbackup scheduled"
$output = & $Exe -q -c $Config scheduled 2>&1
$code = $LASTEXITCODE
if ($null -eq $code) {
    # the program could not be started at all
    $code = 1
}
foreach ($line in $output) {
    Write-Log "  $line"
}
$text = $meaning[$code]
if (-not $text) {
    $text = 'unexpected exit code'
}
Write-Log "end: exit code $code ($text)"
exit $code
