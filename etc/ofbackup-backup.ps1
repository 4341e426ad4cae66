# ofbackup-backup.ps1 - full ofbackup backup into a weekday-named file, with the exit code logged.
<#
.SYNOPSIS
    Runs "ofbackup backup" into <Folder>\officefreund-<Weekday>.zip and appends the outcome
    to a log file.

.DESCRIPTION
    Each day of the week has its own file, so last week's file of the same weekday is
    replaced and seven rolling backups remain. ofbackup writes to a temporary name and
    renames only a checked package into place, so a failed run leaves the previous file of
    that weekday intact. Copy the folder to another machine as well.

    The script exits with ofbackup's exit code, which Task Scheduler shows as
    "Last Run Result":
        0  ok
        1  backup failed
        2  usage or configuration error (e.g. a mistake in ofbackup.ini)
        3  finished with warnings (e.g. an offline client was skipped)

.EXAMPLE
    Register as a daily task at 02:30 running as SYSTEM (administrator prompt):

    schtasks /Create /TN "ofbackup nightly backup" /SC DAILY /ST 02:30 /RU SYSTEM /RL HIGHEST /TR "powershell.exe -NoProfile -ExecutionPolicy Bypass -File C:\ProgramData\ofbackup\ofbackup-backup.ps1"

    or import ofbackup-task.xml and change its action as described there.
#>
[CmdletBinding()]
param(
    # ofbackup.exe; adjust to where it is installed.
    [string]$Exe = 'C:\Program Files\ofbackup\ofbackup.exe',
    [string]$Config = 'C:\ProgramData\ofbackup\ofbackup.ini',
    # Where the seven backup files go; a local disk other than the system disk is best.
    [string]$Folder = 'D:\Backups',
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
}

function Write-Log([string]$Text) {
    $stamp = Get-Date -Format 'yyyy-MM-dd HH:mm:ss'
    Add-Content -LiteralPath $Log -Encoding UTF8 -Value "$stamp $Text"
}

$logFolder = Split-Path -Parent $Log
if ($logFolder -and -not (Test-Path -LiteralPath $logFolder)) {
    New-Item -ItemType Directory -Force -Path $logFolder | Out-Null
}

# The English weekday name, whatever the display language: the seven file names must stay
# the same, or old files would no longer be replaced.
$weekday = [System.Globalization.CultureInfo]::InvariantCulture.DateTimeFormat.GetDayName((Get-Date).DayOfWeek)
$target = Join-Path $Folder "officefreund-$weekday.zip"

if (-not (Test-Path -LiteralPath $Exe -PathType Leaf)) {
    Write-Log "ofbackup not found at '$Exe'; set -Exe to the installed ofbackup.exe (exit code 2)"
    exit 2
}
if (-not (Test-Path -LiteralPath $Folder)) {
    New-Item -ItemType Directory -Force -Path $Folder | Out-Null
}

Write-Log "start: backup into '$target'"
$output = & $Exe -c $Config backup -o $target 2>&1
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
