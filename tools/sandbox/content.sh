# content.sh: the contents of the sandbox data center (sourced by make-sandbox):
# registry hive text per host role, DataCenter folder files (CRLF .cmd/.sql/.xml)
# and the Registry/Directory database SQL. Every function prints to stdout.
# Hive functions print UTF-8 text with CRLF; make-sandbox converts with reg_encode.

DC_WIN='C:\Program Files\Hewlett Packard Enterprise\DataCenter'
OSQL_100='C:\Program Files\Microsoft SQL Server\100\Tools\BINN\OSQL.EXE'
OLD_VERSION=8.8.6.1
HKLM=HKEY_LOCAL_MACHINE
SW="$HKLM\\SOFTWARE"
WOW="$SW\\Wow6432Node"

crlf() { sed 's/$/\r/'; }

# Keys every Windows server has: OS version, computer name, TCP/IP, .NET.
hive_windows_common() {
  local host=$1 domain=$2
  reg_key "$HKLM\\SOFTWARE"
  reg_key "$SW\\Microsoft"
  reg_key "$SW\\Microsoft\\NET Framework Setup\\NDP\\v4\\Full"
  reg_sz CBS 1
  reg_dword Install 1
  reg_sz InstallPath 'C:\Windows\Microsoft.NET\Framework64\v4.0.30319\'
  reg_dword Release 394802
  reg_dword Servicing 0
  reg_sz TargetVersion 4.0.0
  reg_sz Version 4.6.01586
  reg_key "$SW\\Microsoft\\Windows NT\\CurrentVersion"
  reg_sz BuildBranch winblue_ltsb
  reg_sz BuildGUID ffffffff-ffff-ffff-ffff-ffffffffffff
  reg_sz BuildLab 9600.winblue_ltsb.170606-1900
  reg_sz BuildLabEx 9600.18717.amd64fre.winblue_ltsb.170606-1900
  reg_sz CurrentBuild 9600
  reg_sz CurrentBuildNumber 9600
  reg_dword CurrentMajorVersionNumber 6
  reg_dword CurrentMinorVersionNumber 3
  reg_sz CurrentType 'Multiprocessor Free'
  reg_sz CurrentVersion 6.3
  reg_sz EditionID ServerStandard
  reg_sz InstallationType Server
  reg_dword InstallDate 1467302400
  reg_sz PathName 'C:\Windows'
  reg_sz ProductId 00252-70000-00000-AA535
  reg_sz ProductName 'Windows Server 2012 R2 Standard'
  reg_sz RegisteredOrganization 'Example Corp'
  reg_sz RegisteredOwner 'IT Operations'
  reg_sz SoftwareType System
  reg_sz SystemRoot 'C:\Windows'
  reg_dword UBR 18717
  reg_binary DigitalProductId a40000000300000030303235322d37303030302d30303030302d4141353335
  reg_key "$SW\\Microsoft\\Windows\\CurrentVersion"
  reg_sz CommonFilesDir 'C:\Program Files\Common Files'
  reg_sz 'CommonFilesDir (x86)' 'C:\Program Files (x86)\Common Files'
  reg_sz CommonW6432Dir 'C:\Program Files\Common Files'
  reg_sz DevicePath '%SystemRoot%\inf'
  reg_sz MediaPathUnexpanded '%SystemRoot%\Media'
  reg_sz ProgramFilesDir 'C:\Program Files'
  reg_sz 'ProgramFilesDir (x86)' 'C:\Program Files (x86)'
  reg_expand ProgramFilesPath '%ProgramFiles%'
  reg_sz ProgramW6432Dir 'C:\Program Files'
  reg_key "$WOW"
  reg_key "$HKLM\\SYSTEM"
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet"
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ActiveComputerName"
  reg_sz ComputerName "$host"
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Control\\ComputerName\\ComputerName"
  reg_sz ComputerName "$host"
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Services\\Tcpip\\Parameters"
  reg_expand DataBasePath '%SystemRoot%\System32\drivers\etc'
  reg_sz Domain "$domain"
  reg_dword EnableICMPRedirect 1
  reg_dword ForwardBroadcasts 0
  reg_sz Hostname "$host"
  reg_dword IPEnableRouter 0
  reg_sz 'NV Domain' "$domain"
  reg_sz 'NV Hostname' "$host"
  reg_sz NameServer ''
  reg_sz SearchList "$domain,corp.example.com"
  reg_dword SyncDomainWithMembership 1
  reg_dword TcpTimedWaitDelay 30
  reg_dword MaxUserPort 65534
  reg_dword UseDomainNameDevolution 1
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server"
  reg_dword DisabledByDefault 0
  reg_dword Enabled 1
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\SSL 2.0\\Server"
  reg_dword DisabledByDefault 1
  reg_dword Enabled 0
  reg_key "$HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\SSL 3.0\\Server"
  reg_dword DisabledByDefault 1
  reg_dword Enabled 0
}

# The Programs and Features entry of one product.
hive_uninstall_entry() {
  local guid=$1 name=$2 dir=$3 size=$4
  reg_key "$SW\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\$guid"
  reg_dword AuthorizedCDFPrefix 0
  reg_sz Comments ''
  reg_sz Contact 'HPE Software Support'
  reg_sz DisplayName "$name"
  reg_sz DisplayVersion "$OLD_VERSION"
  reg_dword EstimatedSize "$size"
  reg_sz HelpLink 'https://softwaresupport.hpe.com'
  reg_sz InstallDate 20160701
  reg_sz InstallLocation "$dir\\"
  reg_sz InstallSource 'D:\Install\v8.8.6.1.bdc.english\'
  reg_dword Language 1033
  reg_expand ModifyPath "MsiExec.exe /I$guid"
  reg_dword NoModify 1
  reg_dword NoRepair 1
  reg_sz Publisher 'Hewlett Packard Enterprise'
  reg_expand UninstallString "MsiExec.exe /X$guid"
  reg_sz URLInfoAbout 'https://www.hpe.com/software/connectedbackup'
  reg_dword Version 0x08080006
  reg_dword VersionMajor 8
  reg_dword VersionMinor 8
  reg_dword WindowsInstaller 1
}

# One component's logging settings under Connected\DataCenter\Logging.
hive_logging() {
  local comp=$1 level=$2
  reg_key "$WOW\\Connected\\DataCenter\\Logging\\$comp"
  reg_dword LogLevel "$level"
  reg_dword MaxFileSizeKB 10240
  reg_dword FileCount 10
  reg_dword RetainDays 30
  reg_expand LogFile "%DCDIR%\\Logs\\$comp.log"
  reg_dword DebugTrace 0
}

# A Data Center server (Registry and/or Directory databases, Connected services).
# role: standalone | primary-rm | secondary-rm | primary-dir | secondary-dir
hive_datacenter() {
  local host=$1 role=$2 mirror=$3 rm=$4 topology=$5
  local comp
  reg_key "$SW\\Microsoft\\Microsoft SQL Server"
  reg_multi InstalledInstances MSSQLSERVER
  reg_key "$SW\\Microsoft\\Microsoft SQL Server\\100\\Tools\\ClientSetup"
  reg_sz Path 'C:\Program Files\Microsoft SQL Server\100\Tools\Binn\'
  reg_sz SQLPath 'C:\Program Files\Microsoft SQL Server\100\Tools'
  reg_sz SharedCode 'C:\Program Files\Microsoft SQL Server\100\Shared\'
  reg_key "$SW\\Microsoft\\Microsoft SQL Server\\Instance Names\\SQL"
  reg_sz MSSQLSERVER MSSQL10_50.MSSQLSERVER
  reg_key "$SW\\Microsoft\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\MSSQLServer"
  reg_dword AuditLevel 2
  reg_sz BackupDirectory 'E:\SQLBackup'
  reg_sz DefaultData 'E:\SQLData'
  reg_sz DefaultLog 'F:\SQLLogs'
  reg_dword LoginMode 1
  reg_dword NumErrorLogs 12
  reg_key "$SW\\Microsoft\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\Setup"
  reg_sz Collation SQL_Latin1_General_CP1_CI_AS
  reg_sz Edition 'Enterprise Edition'
  reg_dword EditionType 0
  reg_sz FeatureList 'SQL_Engine_Core_Inst=3 SQL_Replication_Core_Inst=3 SQL_SSMS_Adv=3'
  reg_sz PatchLevel 10.53.6000.34
  reg_sz SQLBinRoot 'C:\Program Files\Microsoft SQL Server\MSSQL10_50.MSSQLSERVER\MSSQL\Binn'
  reg_sz SQLDataRoot 'E:\SQLData'
  reg_sz SQLPath 'C:\Program Files\Microsoft SQL Server\MSSQL10_50.MSSQLSERVER\MSSQL'
  reg_sz SqlProgramDir 'C:\Program Files\Microsoft SQL Server\'
  reg_sz Version 10.50.6000.34
  reg_key "$SW\\Microsoft\\Microsoft SQL Server\\MSSQL10_50.MSSQLSERVER\\SQLServerAgent"
  reg_sz ErrorLogFile 'C:\Program Files\Microsoft SQL Server\MSSQL10_50.MSSQLSERVER\MSSQL\Log\SQLAGENT.OUT'
  reg_dword JobHistoryMaxRows 10000
  reg_dword JobHistoryMaxRowsPerJob 500
  reg_dword RestartSQLServer 1
  reg_dword MonitorAutoStart 1
  hive_uninstall_entry '{7A4A5CB2-08D4-4C3E-9E2B-0C1D6B5A8E11}' 'HPE Connected Backup Data Center' "$DC_WIN" 412672
  reg_key "$WOW\\Connected"
  reg_sz InstallRoot "$DC_WIN"
  reg_sz ProductName 'HPE Connected Backup'
  reg_sz Version "$OLD_VERSION"
  reg_key "$WOW\\Connected\\DataCenter"
  reg_sz AgentDownloadDir "$DC_WIN\\AgentDownloads"
  reg_sz BuildNumber 8.8.6.1.2417
  reg_sz DataCenterName "ExampleCorp-$topology"
  reg_sz DataDir 'E:\DCData'
  reg_sz DirectoryDatabase Directory
  reg_sz InstallDate 2016-07-01T22:14:08
  reg_sz InstallDir "$DC_WIN"
  reg_sz LicenseFile "$DC_WIN\\License\\DataCenter.lic"
  reg_sz LogDir "$DC_WIN\\Logs"
  reg_dword LogLevel 3
  reg_sz MirrorServer "$mirror"
  reg_sz RegistrationMaster "$rm"
  reg_sz RegistryDatabase Registry
  reg_sz ServerName "$host"
  reg_sz ServerRole "$role"
  reg_sz SQLServerVersion 100
  reg_sz Topology "$topology"
  reg_sz Version "$OLD_VERSION"
  reg_multi SupportedAgentPlatforms Windows MacOSX
  reg_qword TotalStorageBytes 0x0000064000000000
  reg_key "$WOW\\Connected\\BackupServer"
  reg_dword AllowBackups 1
  reg_dword AllowRestores 1
  reg_dword ListenPort 16384
  reg_dword MaxSessions 250
  reg_dword ProtocolVersion 88
  reg_dword SessionTimeoutSeconds 1800
  reg_dword ThreadPoolSize 64
  reg_sz AccountManagementUrl 'https://web1.example.corp/ssws'
  reg_sz ArchivePath 'E:\DCData\Archive'
  reg_sz TempPath 'E:\DCData\Temp'
  reg_dword CompressionLevel 6
  reg_dword EnableQuotaCheck 1
  reg_key "$WOW\\Connected\\IndexServer"
  reg_dword CacheSizeMB 2048
  reg_dword ListenPort 16386
  reg_sz IndexPath 'E:\DCData\Index'
  reg_dword RebuildThreads 4
  reg_dword MaxBatch 5000
  reg_key "$WOW\\Connected\\PoolServer"
  reg_dword ListenPort 16388
  reg_sz PoolPath 'E:\DCData\Pool'
  reg_dword MaxOpenFiles 4096
  reg_dword VerifyOnWrite 1
  reg_dword PoolReserveGB 200
  reg_key "$WOW\\Connected\\Compactor"
  reg_sz Schedule 'Sun 01:00'
  reg_dword MaxRuntimeMinutes 480
  reg_dword ExpiredSetRetentionDays 90
  reg_dword Threads 2
  reg_key "$WOW\\Connected\\DCAlerter"
  reg_dword Enabled 1
  reg_sz SmtpServer smtp.example.corp
  reg_dword SmtpPort 25
  reg_sz From "dcalerter@$host.example.corp"
  reg_multi Recipients backup-admins@example.corp noc@example.corp
  reg_dword DiskFreeWarnPercent 15
  reg_dword DiskFreeCriticalPercent 5
  if [[ $topology != standalone ]]; then
    reg_key "$WOW\\Connected\\ReplicationServer"
    reg_dword ListenPort 16390
    reg_sz MirrorServer "$mirror"
    reg_dword MaxBandwidthKbps 0
    reg_dword ReplicationThreads 8
    reg_dword RetryIntervalSeconds 300
  fi
  for comp in BackupServer IndexServer PoolServer Compactor DCAlerter ReplicationServer \
      DCMC Setup DailyMaint WeeklyMaint Migration Purge HSM DCAudit LicenseCheck; do
    hive_logging "$comp" 3
  done
  local v
  for v in 1 2 3 4; do
    reg_key "$WOW\\Connected\\DataCenter\\Volumes\\Volume$v"
    reg_sz Path "E:\\DCData\\Vol$v"
    reg_qword CapacityBytes $((v * 0x4000000000))
    reg_sz Status Online
    reg_dword ReadOnly 0
  done
}

# A Web server with Support Center and the Account Management Website (Tomcat).
# $2: the Support Center key below HKLM\SOFTWARE (make-sandbox --support-center-key).
hive_web() {
  local rm=$1 sc_key=$2
  local connect="DRIVER={SQL Server};SERVER=$rm;DATABASE=Registry;Trusted_Connection=Yes"
  local comp
  reg_key "$SW\\Apache Software Foundation\\Procrun 2.0\\DCTomcat\\Parameters\\Java"
  reg_sz Jvm 'C:\Program Files\Java\jre1.8.0_131\bin\server\jvm.dll'
  reg_multi Options '-Dcatalina.home=C:\Program Files\Hewlett Packard Enterprise\DataCenter\apache-tomcat-7.0.42' \
    '-Djava.io.tmpdir=C:\temp' '-Xrs'
  reg_dword JvmMs 512
  reg_dword JvmMx 2048
  reg_key "$SW\\JavaSoft\\Java Runtime Environment\\1.8"
  reg_sz JavaHome 'C:\Program Files\Java\jre1.8.0_131'
  reg_sz MicroVersion 0
  reg_sz RuntimeLib 'C:\Program Files\Java\jre1.8.0_131\bin\server\jvm.dll'
  reg_key "$SW\\Microsoft\\InetStp"
  reg_dword MajorVersion 8
  reg_dword MinorVersion 5
  reg_expand PathWWWRoot '%SystemDrive%\inetpub\wwwroot'
  reg_sz SetupString 'IIS 8.5'
  reg_sz VersionString 'Version 8.5'
  reg_expand InstallPath '%SystemRoot%\system32\inetsrv'
  hive_uninstall_entry '{C1F0E3A7-55B2-4A9D-8F5E-2B7D3C9A4E21}' 'HPE Connected Backup Web Services' "$DC_WIN" 187904
  reg_key "$WOW\\Connected"
  reg_sz InstallRoot "$DC_WIN"
  reg_sz ProductName 'HPE Connected Backup'
  reg_sz Version "$OLD_VERSION"
  reg_key "$WOW\\Connected\\AccountManagement"
  reg_dword AjpPort 8009
  reg_dword HttpPort 8080
  reg_sz TomcatHome "$DC_WIN\\apache-tomcat-7.0.42"
  reg_sz Version "$OLD_VERSION"
  reg_sz WebAppDir "$DC_WIN\\apache-tomcat-7.0.42\\webapps\\ssws"
  reg_dword SessionTimeoutMinutes 20
  for comp in SupportCenter AccountManagement DCTomcat; do
    hive_logging "$comp" 2
  done
  reg_key "$SW\\$sc_key"
  reg_sz AuditLog "$DC_WIN\\SupportCenter\\Logs\\Audit.log"
  reg_sz InstallDir "$DC_WIN\\SupportCenter"
  reg_dword LogLevel 2
  reg_dword MaxSearchResults 500
  reg_sz RegistryConnect "$connect"
  reg_dword SessionTimeoutMinutes 30
  reg_sz Version "$OLD_VERSION"
  reg_sz WebServicesAccount 'EXAMPLE\CNTD_WebServices'
}

# A DataTransfer API node (IIS, ose/OutflowServiceExtension.dll).
hive_datatransfer() {
  local preferred=$1 secondary=$2
  reg_key "$SW\\Microsoft\\InetStp"
  reg_dword MajorVersion 8
  reg_dword MinorVersion 5
  reg_expand PathWWWRoot '%SystemDrive%\inetpub\wwwroot'
  reg_sz SetupString 'IIS 8.5'
  reg_sz VersionString 'Version 8.5'
  hive_uninstall_entry '{5E2B9C41-3D7A-4F60-A1C8-9B0E6D2F7A33}' 'HPE Connected Backup DataTransfer API' "$DC_WIN\\DataTransferAPI" 65536
  reg_key "$WOW\\Connected"
  reg_sz InstallRoot "$DC_WIN"
  reg_sz ProductName 'HPE Connected Backup'
  reg_sz Version "$OLD_VERSION"
  hive_logging DataTransferAPI 2
  reg_key "$WOW\\Outflow"
  reg_sz DB_PreferedRegistry "$preferred"
  reg_sz DB_SecondaryRegistry "$secondary"
  reg_sz DB_Name Registry
  reg_dword DB_ConnectTimeout 30
  reg_sz InstallDir "$DC_WIN\\DataTransferAPI"
  reg_dword LogLevel 2
  reg_dword MaxConcurrentRequests 32
  reg_dword RequestTimeoutSeconds 600
  reg_sz TempDir 'C:\temp'
  reg_sz Version "$OLD_VERSION"
  reg_sz WebServicesAccount 'EXAMPLE\CNTD_WebServices'
}

# DailyMaint.cmd / WeeklyMaint.cmd as Data Center Setup writes them (LF; pipe through crlf).
daily_maint_cmd() {
  local host=$1
  cat <<EOF
@echo off
REM ===================================================================
REM  DailyMaint.cmd - HPE Connected Backup Data Center daily maintenance
REM  Written by Data Center Setup $OLD_VERSION for $host. Run by the
REM  DailyMaint scheduled task at 02:30.
REM ===================================================================
setlocal
set DCDIR=$DC_WIN
set LOGDIR=%DCDIR%\\Logs
set SCRIPTS=%DCDIR%\\Scripts

echo %DATE% %TIME% DailyMaint starting >> "%LOGDIR%\\DailyMaint.log"

REM Update statistics on the Directory database
"$OSQL_100" -E -S $host -d Directory -b -i "%SCRIPTS%\\DailyStats_Directory.sql" -o "%LOGDIR%\\DailyStats_Directory.out"
if errorlevel 1 goto failed

REM Update statistics on the Registry database
"$OSQL_100" -E -S $host -d Registry -b -i "%SCRIPTS%\\DailyStats_Registry.sql" -o "%LOGDIR%\\DailyStats_Registry.out"
if errorlevel 1 goto failed

REM Back up the transaction logs
"$OSQL_100" -E -S $host -d master -b -Q "EXEC dbo.DC_BackupLogs N'E:\\SQLBackup'" -o "%LOGDIR%\\DailyLogBackup.out"
if errorlevel 1 goto failed

REM Purge expired sessions
"$OSQL_100" -E -S $host -d Directory -b -Q "EXEC dbo.PurgeExpiredSessions 30" -o "%LOGDIR%\\DailyPurge.out"
if errorlevel 1 goto failed

echo %DATE% %TIME% DailyMaint finished >> "%LOGDIR%\\DailyMaint.log"
exit /b 0

:failed
echo %DATE% %TIME% DailyMaint FAILED, see %LOGDIR% >> "%LOGDIR%\\DailyMaint.log"
exit /b 1
EOF
}

weekly_maint_cmd() {
  local host=$1
  cat <<EOF
@echo off
REM ====================================================================
REM  WeeklyMaint.cmd - HPE Connected Backup Data Center weekly maintenance
REM  Written by Data Center Setup $OLD_VERSION for $host. Run by the
REM  WeeklyMaint scheduled task, Sunday 03:00. Backs up the Registry and
REM  Directory databases and checks their integrity.
REM ====================================================================
setlocal
set DCDIR=$DC_WIN
set LOGDIR=%DCDIR%\\Logs
set SCRIPTS=%DCDIR%\\Scripts
set BACKUPDIR=E:\\SQLBackup

echo %DATE% %TIME% WeeklyMaint starting >> "%LOGDIR%\\WeeklyMaint.log"

REM Full backups
"$OSQL_100" -E -S $host -d master -b -Q "BACKUP DATABASE Directory TO DISK = N'%BACKUPDIR%\\Directory.bak' WITH INIT, CHECKSUM" -o "%LOGDIR%\\WeeklyBackup_Directory.out"
if errorlevel 1 goto failed
"$OSQL_100" -E -S $host -d master -b -Q "BACKUP DATABASE Registry TO DISK = N'%BACKUPDIR%\\Registry.bak' WITH INIT, CHECKSUM" -o "%LOGDIR%\\WeeklyBackup_Registry.out"
if errorlevel 1 goto failed

REM Integrity checks
"$OSQL_100" -E -S $host -d Directory -b -i "%SCRIPTS%\\DBMaint.sql" -o "%LOGDIR%\\WeeklyCheck_Directory.out"
if errorlevel 1 goto failed
"$OSQL_100" -E -S $host -d Registry -b -i "%SCRIPTS%\\DBMaint.sql" -o "%LOGDIR%\\WeeklyCheck_Registry.out"
if errorlevel 1 goto failed

REM Rebuild fragmented indexes
"$OSQL_100" -E -S $host -d Directory -b -i "%SCRIPTS%\\Reindex.sql" -o "%LOGDIR%\\WeeklyReindex.out"
if errorlevel 1 goto failed

echo %DATE% %TIME% WeeklyMaint finished >> "%LOGDIR%\\WeeklyMaint.log"
exit /b 0

:failed
echo %DATE% %TIME% WeeklyMaint FAILED, see %LOGDIR% >> "%LOGDIR%\\WeeklyMaint.log"
exit /b 1
EOF
}

dbmaint_sql() {
  cat <<'EOF'
-- DBMaint.sql: integrity check of the current database (Connected Backup Data Center).
SET NOCOUNT ON
PRINT 'DBMaint starting on ' + DB_NAME()
DBCC CHECKDB WITH NO_INFOMSGS, ALL_ERRORMSGS
GO
PRINT 'DBMaint finished'
GO
EOF
}

database_backup_sql() {
  cat <<'EOF'
-- database_backup.sql: full backup of the Registry and Directory databases
-- before an upgrade of a mirrored or clustered Data Center.
DECLARE @dir nvarchar(260) = N'E:\SQLBackup\'
DECLARE @stamp nvarchar(20) = CONVERT(nvarchar(20), GETDATE(), 112)
IF EXISTS (SELECT 1 FROM sys.databases WHERE name = 'Registry')
  EXEC('BACKUP DATABASE Registry TO DISK = N''' + @dir + 'Registry_' + @stamp + '.bak'' WITH INIT, CHECKSUM, COPY_ONLY')
IF EXISTS (SELECT 1 FROM sys.databases WHERE name = 'Directory')
  EXEC('BACKUP DATABASE Directory TO DISK = N''' + @dir + 'Directory_' + @stamp + '.bak'' WITH INIT, CHECKSUM, COPY_ONLY')
GO
EOF
}

# Tomcat web.xml of the Account Management Website (ssws); the download
# staging dir context parameter moves to the registry in 8.8.7.
ssws_web_xml() {
  cat <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<web-app xmlns="http://java.sun.com/xml/ns/javaee" version="3.0">
  <display-name>Account Management Website 8.8.6.1</display-name>
  <context-param>
    <param-name>com.connected.ssw.apiServer</param-name>
    <param-value>http://localhost/SSWSAPI/SSWSAPI.dll?Handler=Default</param-value>
  </context-param>
  <context-param>
    <param-name>com.connected.ssw.validateSSL</param-name>
    <param-value>false</param-value>
  </context-param>
  <context-param>
    <param-name>com.connected.ssw.downloadStagingDir</param-name>
    <param-value>C:\temp</param-value>
  </context-param>
  <session-config>
    <session-timeout>20</session-timeout>
  </session-config>
</web-app>
EOF
}

datatransfer_web_config() {
  cat <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <appSettings>
    <add key="ProductVersion" value="8.8.6.1" />
    <add key="TempDirectory" value="C:\temp" />
    <add key="RequireSsl" value="true" />
  </appSettings>
  <system.webServer>
    <handlers>
      <add name="OutflowServiceExtension" path="OutflowServiceExtension.dll" verb="*" modules="IsapiModule" scriptProcessor="C:\Program Files\Hewlett Packard Enterprise\DataCenter\DataTransferAPI\ose\OutflowServiceExtension.dll" />
    </handlers>
  </system.webServer>
</configuration>
EOF
}

# Registry database (portable SQL for sqlite3 and psql). $1: topology, $2...: DT nodes as NAME=FQDN.
registry_db_sql() {
  local topology=$1
  shift
  local id=1 node
  echo "BEGIN;"
  echo "CREATE TABLE SchemaVersion (Component TEXT PRIMARY KEY, Version TEXT NOT NULL, AppliedAt TEXT NOT NULL);"
  echo "INSERT INTO SchemaVersion VALUES ('Registry', '$OLD_VERSION', '2016-07-01 22:31:05');"
  echo "INSERT INTO SchemaVersion VALUES ('ReportingViews', '8.8.1.0', '2015-03-14 01:12:44');"
  echo "CREATE TABLE OutflowServices (ServerId INTEGER PRIMARY KEY, Url TEXT NOT NULL, secureFlag INTEGER NOT NULL);"
  for node in "$@"; do
    echo "INSERT INTO OutflowServices VALUES ($id, 'https://${node#*=}/ose/OutflowServiceExtension.dll', 1);"
    id=$((id + 1))
  done
  # Nodes the plans never touch: a DR site node and a retired lab node.
  echo "INSERT INTO OutflowServices VALUES (7, 'https://dt-dr1.example.corp/ose/OutflowServiceExtension.dll', 1);"
  echo "INSERT INTO OutflowServices VALUES (9, 'http://dtlab.example.corp/ose/OutflowServiceExtension.dll', 0);"
  echo "CREATE TABLE DataCenters (DataCenterId INTEGER PRIMARY KEY, Name TEXT NOT NULL, PrimaryServer TEXT NOT NULL, SecondaryServer TEXT, Topology TEXT NOT NULL);"
  case $topology in
    standalone) echo "INSERT INTO DataCenters VALUES (1, 'ExampleCorp-standalone', 'SERVER1', NULL, 'standalone');" ;;
    mirrored) echo "INSERT INTO DataCenters VALUES (1, 'ExampleCorp-mirrored', 'SERVER1', 'SERVER2', 'mirrored');" ;;
    clustered)
      echo "INSERT INTO DataCenters VALUES (1, 'ExampleCorp-cluster-rm', 'SERVER1', 'SERVER2', 'clustered');"
      echo "INSERT INTO DataCenters VALUES (2, 'ExampleCorp-cluster-dir1', 'SERVER3', 'SERVER4', 'clustered');"
      ;;
  esac
  echo "CREATE TABLE Communities (CommunityId INTEGER PRIMARY KEY, Name TEXT NOT NULL, DataCenterId INTEGER NOT NULL, MaxAccounts INTEGER NOT NULL);"
  echo "INSERT INTO Communities VALUES (1, 'Corporate', 1, 5000);"
  echo "INSERT INTO Communities VALUES (2, 'Engineering', 1, 2000);"
  echo "INSERT INTO Communities VALUES (3, 'Field Sales', 1, 1500);"
  echo "CREATE TABLE Technicians (TechnicianId INTEGER PRIMARY KEY, Login TEXT NOT NULL, Role TEXT NOT NULL, Enabled INTEGER NOT NULL);"
  echo "INSERT INTO Technicians VALUES (1, 'EXAMPLE\\dcadmin', 'Administrator', 1);"
  echo "INSERT INTO Technicians VALUES (2, 'EXAMPLE\\helpdesk1', 'SupportTechnician', 1);"
  echo "INSERT INTO Technicians VALUES (3, 'EXAMPLE\\helpdesk2', 'SupportTechnician', 0);"
  echo "CREATE TABLE AccountRegistry (AccountId INTEGER PRIMARY KEY, Email TEXT NOT NULL, CommunityId INTEGER NOT NULL, DirectoryServer TEXT NOT NULL);"
  local i dirs=(SERVER1)
  [[ $topology == clustered ]] && dirs=(SERVER1 SERVER3)
  for ((i = 1; i <= 120; i++)); do
    echo "INSERT INTO AccountRegistry VALUES ($((100000 + i)), 'user$i@example.corp', $((i % 3 + 1)), '${dirs[i % ${#dirs[@]}]}');"
  done
  echo "COMMIT;"
}

directory_db_sql() {
  local i
  echo "BEGIN;"
  echo "CREATE TABLE SchemaVersion (Component TEXT PRIMARY KEY, Version TEXT NOT NULL, AppliedAt TEXT NOT NULL);"
  echo "INSERT INTO SchemaVersion VALUES ('Directory', '$OLD_VERSION', '2016-07-01 22:33:51');"
  echo "CREATE TABLE Accounts (AccountId INTEGER PRIMARY KEY, Email TEXT NOT NULL, Status TEXT NOT NULL, LastBackup TEXT, StoredBytes BIGINT NOT NULL);"
  for ((i = 1; i <= 120; i++)); do
    echo "INSERT INTO Accounts VALUES ($((100000 + i)), 'user$i@example.corp', '$( ((i % 17 == 0)) && echo Suspended || echo Active)', '2017-07-$(printf '%02d' $((i % 28 + 1))) 0$((i % 10)):15:00', $((i * 73400320)));"
  done
  echo "CREATE TABLE ServerSettings (Name TEXT PRIMARY KEY, Value TEXT NOT NULL);"
  echo "INSERT INTO ServerSettings VALUES ('AllowBackups', '1');"
  echo "INSERT INTO ServerSettings VALUES ('AllowRestores', '1');"
  echo "INSERT INTO ServerSettings VALUES ('ExpiredSetRetentionDays', '90');"
  echo "INSERT INTO ServerSettings VALUES ('MaxSessions', '250');"
  echo "COMMIT;"
}
