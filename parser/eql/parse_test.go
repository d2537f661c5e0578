package eql

import (
	"reflect"
	"testing"

	"github.com/emit-sec/emit/source"
)

// canonicalTests are queries and their canonical form ("" when the query
// is already canonical). The last ones are real queries from Elastic's
// detection-rules repository.
var canonicalTests = []struct{ in, want string }{
	{`process where process.name == "cmd.exe"`, ""},
	{`process where true`, ""},
	{`any where true`, ""},
	{`file where false`, ""},
	{`process where process.name : "cmd.exe"`, ""},
	{`process where process.name:"cmd.exe"`,
		`process where process.name : "cmd.exe"`},
	{`process where process.name : "*.exe"`, ""},
	{`process where process.name : "cmd?.exe"`, ""},
	{`process where process.name : ("cmd.exe", "powershell*", "pwsh?exe")`, ""},
	{`process where process.name : ("cmd.exe")`,
		`process where process.name : "cmd.exe"`},
	{`process where process.name like "CMD*"`, ""},
	{`process where process.name like~ "cmd*"`, ""},
	{`process where process.name like ("a*", "b?")`, ""},
	{`process where process.name like~ ("a*", "b?")`, ""},
	{`process where process.name regex "cmd\\.exe"`, ""},
	{`process where process.name regex~ "[a-z]+\\.exe"`, ""},
	{`process where process.name regex ("a.*", "b[0-9]{2}")`, ""},
	{`process where process.name regex~ ("A.*", "b+")`, ""},
	{`process where process.name regex """[a-z0-9]\.exe"""`,
		`process where process.name regex "[a-z0-9]\\.exe"`},
	{`process where process.name in ("cmd.exe", "powershell.exe")`, ""},
	{`process where process.name in~ ("CMD.exe", "PowerShell.exe")`, ""},
	{`process where process.name not in ("cmd.exe", "powershell.exe")`, ""},
	{`process where process.name not in~ ("CMD.exe")`, ""},
	{`process where process.pid in (1, 2, 3)`, ""},
	{`process where process.pid not in (4, 5)`, ""},
	{`process where process.name != "cmd.exe"`, ""},
	{`process where process.pid < 10`, ""},
	{`process where process.pid <= 10`, ""},
	{`process where process.pid > 10`, ""},
	{`process where process.pid >= 10`, ""},
	{`process where 10 < process.pid`, ""},
	{`process where process.pid == 1.5`, ""},
	{`process where process.pid == -1`, ""},
	{`process where process.pid == - 1`,
		`process where process.pid == -1`},
	{`process where process.pid == -1.5`, ""},
	{`process where process.pid == +5`,
		`process where process.pid == 5`},
	{`process where process.pid == 1e3`,
		`process where process.pid == 1000.0`},
	{`process where process.pid == 1.5E-3`,
		`process where process.pid == 0.0015`},
	{`process where process.pid == .5`,
		`process where process.pid == 0.5`},
	{`process where process.pid == 1.`,
		`process where process.pid == 1.0`},
	{`process where process.pid == 0`, ""},
	{`process where process.name == null`, ""},
	{`process where process.name != null`, ""},
	{`process where ?process.name != null`, ""},
	{`process where ?process.pe.original_file_name == "WBADMIN.EXE"`, ""},
	{`process where process.code_signature.trusted == true`, ""},
	{`process where process.code_signature.trusted == false`, ""},
	{`process where process.code_signature.trusted`, ""},
	{`process where not process.code_signature.trusted`, ""},
	{`process where process.name == "a" and process.pid == 1`, ""},
	{`process where process.name == "a" or process.pid == 1`, ""},
	{`process where process.name == "a" and process.pid == 1 or process.pid == 2`,
		`process where (process.name == "a" and process.pid == 1) or process.pid == 2`},
	{`process where process.name == "a" and (process.pid == 1 or process.pid == 2)`, ""},
	{`process where (process.name == "a" and process.pid == 1) or process.pid == 2`, ""},
	{`process where not process.name == "a"`, ""},
	{`process where not (process.name == "a" or process.pid == 1)`, ""},
	{`process where not not process.name == "a"`, ""},
	{`process where not process.name == "a" and process.pid == 1`, ""},
	{`process where (((process.name == "a")))`,
		`process where process.name == "a"`},
	{`process where a and b and c and d`, ""},
	{`process where a and (b and c) and d`,
		`process where a and b and c and d`},
	{`process where a or (b or c)`,
		`process where a or b or c`},
	{`process where (a or b) and (c or d)`, ""},
	{`process where not (a and b) or not (c or d)`, ""},
	{`process where process.args_count + 1 > 3`, ""},
	{`process where process.args_count - 1 > 3`, ""},
	{`process where process.args_count * 2 > 3`, ""},
	{`process where process.args_count / 2 > 3`, ""},
	{`process where process.args_count % 2 == 1`, ""},
	{`process where 1 + 2 * 3 == 7`, ""},
	{`process where (1 + 2) * 3 == 9`, ""},
	{`process where 10 - (4 - 2) == 8`, ""},
	{`process where 10 - 4 - 2 == 4`, ""},
	{`process where 8 / (4 / 2) == 4`, ""},
	{`process where -process.pid < 0`, ""},
	{`process where -(process.pid + 1) < 0`, ""},
	{`process where - -process.pid > 0`, ""},
	{`process where process.pid - -1 > 0`, ""},
	{`process where a * -1 == b`, ""},
	{`process where add(process.pid, 1) == 5`, ""},
	{`process where subtract(process.pid, 1) == 5`, ""},
	{`process where multiply(process.pid, 2) == 10`, ""},
	{`process where divide(process.pid, 2) == 5`, ""},
	{`process where modulo(process.pid, 2) == 0`, ""},
	{`process where between(process.command_line, "-c ", " ") == "whoami"`, ""},
	{`process where between~(process.command_line, "-C ", " ", true) : "who*"`, ""},
	{`process where cidrMatch(source.ip, "10.0.0.0/8")`, ""},
	{`process where cidrmatch(source.ip, "10.0.0.0/8", "192.168.0.0/16", "::1", "fe80::/10")`,
		`process where cidrMatch(source.ip, "10.0.0.0/8", "192.168.0.0/16", "::1", "fe80::/10")`},
	{`process where CIDRMATCH(source.ip, "127.0.0.1")`,
		`process where cidrMatch(source.ip, "127.0.0.1")`},
	{`process where concat(process.name, ".", process.pid) == "a.1"`, ""},
	{`process where concat("x", 1, 2.5, true) == "x12.5true"`, ""},
	{`process where endsWith(process.name, ".exe")`, ""},
	{`process where endswith~(process.name, ".EXE")`,
		`process where endsWith~(process.name, ".EXE")`},
	{`process where indexOf(process.name, "x") == 2`, ""},
	{`process where indexof~(process.name, "X", 1) > 0`,
		`process where indexOf~(process.name, "X", 1) > 0`},
	{`process where length(process.name) > 5`, ""},
	{`process where LENGTH(process.name) == 0`,
		`process where length(process.name) == 0`},
	{`process where number(process.pid_string) == 5`, ""},
	{`process where number(process.hex, 16) == 255`, ""},
	{`process where startsWith(process.name, "power")`, ""},
	{`process where startswith~(process.name, "POWER")`,
		`process where startsWith~(process.name, "POWER")`},
	{`process where string(process.pid) == "5"`, ""},
	{`process where stringContains(process.command_line, "http")`, ""},
	{`process where stringcontains~(process.command_line, "HTTP")`,
		`process where stringContains~(process.command_line, "HTTP")`},
	{`process where substring(process.name, 0, 3) == "cmd"`, ""},
	{`process where substring(process.name, -4) == ".exe"`, ""},
	{`process where wildcard(process.name, "cmd*", "pwsh*")`, ""},
	{`process where wildcard~(process.name, "CMD*")`, ""},
	{`process where startsWith(process.executable, process.working_directory)`, ""},
	{`process where stringContains(process.command_line, process.name)`, ""},
	{`process where endsWith(file.path, file.name)`, ""},
	{`process where process.name == process.parent.name`, ""},
	{`process where process.pid < process.parent.pid`, ""},
	{`process where process.name in (process.parent.name, "cmd.exe")`, ""},
	{`process where length(concat(process.name, process.args)) > 10`, ""},
	{`process where startsWith~(string(destination.ip), string(host.ip))`, ""},
	{`process where indexOf(string(host.ip), string(source.ip)) == null`, ""},
	{`process where cidrMatch(source.ip, "10.0.0.0/8") == true`, ""},
	{`process where cidrMatch(source.ip, "10.0.0.0/8") == false`, ""},
	{`process where startsWith(process.name, "a") != true`, ""},
	{`process where (process.pid == 1) == true`, ""},
	{"process where `my-field` == 1", ""},
	{"process where `my field`.sub == 1", ""},
	{"process where `6field` == 1", ""},
	{"process where `a``b` == 1", ""},
	{"process where kubernetes.audit.`annotations.authorization_k8s_io/decision` == \"allow\"",
		"process where kubernetes.audit.annotations.`authorization_k8s_io/decision` == \"allow\""},
	{"process where azure.auditlogs.properties.target_resources.`0`.display_name like \"DESKTOP-*\"", ""},
	{"process where `a.b`.c == \"x\"",
		`process where a.b.c == "x"`},
	{`process where @timestamp > "2024-01-01"`, ""},
	{`process where process.name == "a\"b"`, ""},
	{`process where process.name == "a\\b"`, ""},
	{`process where process.name == "tab\there"`, ""},
	{`process where process.name == "line\nbreak\r"`, ""},
	{`process where process.name == "\u{202E}"`,
		`process where process.name == "\u{202e}"`},
	{`process where process.name == "\u{0000200f}x"`,
		`process where process.name == "\u{200f}x"`},
	{`process where process.name == "\u{1F600}"`,
		`process where process.name == "😀"`},
	{`process where process.name == "\b\f"`,
		`process where process.name == "\u{08}\u{0c}"`},
	{`process where process.name == "it\'s"`,
		`process where process.name == "it's"`},
	{`process where process.name == """raw "quoted" \ string"""`,
		`process where process.name == "raw \"quoted\" \\ string"`},
	{`process where process.name == """ends in quote"""""`,
		`process where process.name == "ends in quote\"\""`},
	{`process where process.name == ""`, ""},
	{`process where process.name == """"""`,
		`process where process.name == ""`},
	{`process where process.name == "é日本"`, ""},
	{`"my-category" where true`, ""},
	{`"process" where true`,
		`process where true`},
	{`"any" where true`, ""},
	{`"sequence" where true`, ""},
	{`"6eventcategory" where true`, ""},
	{`"""my event category""" where true`,
		`"my event category" where true`},
	{`any where event.category == "process"`, ""},
	{`process where process.name == "a" | head 5`, ""},
	{`process where process.name == "a" | tail 5`, ""},
	{`process where true | tail 10 | head 7`, ""},
	{`process where true | head 0`, ""},
	{`process where true // line comment`,
		`process where true`},
	{`process where /* block */ true`,
		`process where true`},
	{`process where /* nested /* comment */ still */ true`,
		`process where true`},
	{`process where process.name : "a" and not process.name : "b"`, ""},
	{`process where process.args : "-c" and process.args : ("-e", "-x")`, ""},
	{`process where process.name == "a" and process.pid > 1 and process.name : "b*" and process.pid in (1, 2) and not process.name like "c"`, ""},
	{`process where (process.name : "a") in (true, false)`, ""},
	{`process where true == process.name : "a"`, ""},
	{`process where a + b in (1, 2)`, ""},
	{`process where (a + b) in (1, 2)`, ""},
	{`process where -1 in (1, 2)`, ""},
	{`process where (-1) in (1, 2)`, ""},
	{`process where a == -(-1)`,
		`process where a == 1`},
	{`process where length(process.name) > length(process.title)`, ""},
	{`process where concat(process.name) == "a"`, ""},
	{`sequence [process where true] [file where true]`, ""},
	{`sequence by host.id [process where true] [file where true]`, ""},
	{`sequence by host.id, user.name [process where true] [file where true]`, ""},
	{`sequence with maxspan=30s [process where true] [file where true]`, ""},
	{`sequence by host.id with maxspan=5m [process where true] [file where true]`, ""},
	{`sequence with maxspan=1h [process where true] by process.pid [file where true] by process.parent.pid`, ""},
	{`sequence with maxspan = 2d [process where true] [file where true]`,
		`sequence with maxspan=2d [process where true] [file where true]`},
	{`sequence with maxspan=500ms [process where true] [file where true]`, ""},
	{`sequence with maxspan=1m [process where true] by a, b [file where true] by c, d`, ""},
	{`sequence by host.id [process where true] by process.pid [file where true] by process.parent.pid until [process where event.type == "end"] by process.pid`, ""},
	{`sequence [process where true] [file where true] until [process where false]`, ""},
	{`sequence by host.id [process where true] with runs=3`, ""},
	{`sequence by host.id [process where true] with runs = 2 [file where true]`,
		`sequence by host.id [process where true] with runs=2 [file where true]`},
	{`sequence by host.id [process where true] by process.pid with runs=2 [file where true] by process.parent.pid`, ""},
	{`sequence by host.id with maxspan=5m [process where true] ![file where true]`, ""},
	{`sequence by host.id with maxspan=5m ![file where true] [process where true]`, ""},
	{`sequence by host.id with maxspan=5m [process where true] ![file where true] [network where true]`, ""},
	{`sequence by host.name, user.name with maxspan=5s [authentication where event.code : "4624"] ![authentication where event.code : "4647"]`, ""},
	{`sequence by ?process.entity_id [process where true] [network where true]`, ""},
	{`sequence [any where true] by ?a [any where true] by ?b`, ""},
	{`sequence by host.id [process where true] [file where true] | head 3`, ""},
	{`sequence by host.id [process where true] [file where true] | tail 3`, ""},
	{`sequence [process where true] [file where true] [network where true] [registry where true] [library where true]`, ""},
	{`sample by host.id [process where true] [file where true]`, ""},
	{`sample by host.id, user.name [process where true] [file where true] [network where true]`, ""},
	{`sample [process where true] by host.id [file where true] by host.name`, ""},
	{`sample by host.id [process where true] by process.pid [file where true] by process.parent.pid`, ""},
	{`sample [process where true] [file where true]`, ""},
	{`sequence by process.entity_id [process where process.name : "mshta.exe" and event.type == "start"] [network where process.name : "mshta.exe"]`, ""},
	{`sequence by host.id, source.ip with maxspan=10s [authentication where host.os.type == "linux" and event.action in ("ssh_login", "user_login") and event.outcome == "failure" and source.ip != null and source.ip != "0.0.0.0" and source.ip != "::" and user.name : ("*root*" , "*admin*")] with runs=3`,
		`sequence by host.id, source.ip with maxspan=10s [authentication where host.os.type == "linux" and event.action in ("ssh_login", "user_login") and event.outcome == "failure" and source.ip != null and source.ip != "0.0.0.0" and source.ip != "::" and user.name : ("*root*", "*admin*")] with runs=3`},
	{`sequence by process.pid, host.id with maxspan=5s [file where host.os.type == "linux" and auditd.data.syscall == "openat" and file.path == "/proc" and auditd.data.a0 : ("ffffffffffffff9c", "ffffff9c") and auditd.data.a2 : ("80000", "88000") and not process.name in ("agentbeat", "packetbeat") ] with runs=10`,
		`sequence by process.pid, host.id with maxspan=5s [file where host.os.type == "linux" and auditd.data.syscall == "openat" and file.path == "/proc" and auditd.data.a0 : ("ffffffffffffff9c", "ffffff9c") and auditd.data.a2 : ("80000", "88000") and not process.name in ("agentbeat", "packetbeat")] with runs=10`},
	{`sequence by host.name [file where event.action == "creation" and process.name : ("System", "scp", "sshd", "smbd", "vsftpd", "sftp-server")] [file where event.category == "malware" or event.category == "intrusion_detection" and process.name:("System", "scp", "sshd", "smbd", "vsftpd", "sftp-server")]`,
		`sequence by host.name [file where event.action == "creation" and process.name : ("System", "scp", "sshd", "smbd", "vsftpd", "sftp-server")] [file where event.category == "malware" or (event.category == "intrusion_detection" and process.name : ("System", "scp", "sshd", "smbd", "vsftpd", "sftp-server"))]`},
	{`sequence by source.port, source.ip, destination.ip with maxspan=1m [network where event.module == "panw" and event.action == "c2_communication"] [network where event.module == "endpoint" and event.action in ("disconnect_received", "connection_attempted")]`, ""},
	{`sequence by host.id with maxspan=5m [any where data_stream.dataset == "endpoint.alerts"] ![any where event.category in ("process", "library", "registry", "network", "dns", "file")]`, ""},
	{`sequence by azure.identityprotection.properties.user_principal_name with maxspan=10m [any where event.module == "azure" and data_stream.dataset == "azure.identity_protection"] with runs=2`, ""},
	{`sequence with maxspan=5m [any where data_stream.dataset == "azure.identity_protection"] by azure.identityprotection.properties.user_principal_name [any where data_stream.dataset == "azure.auditlogs" and event.action == "Register device"] by azure.auditlogs.properties.initiated_by.user.userPrincipalName`, ""},
	{`sequence by host.id with maxspan=3s [process where host.os.type == "linux" and event.type == "end" and process.name == "sshd"] [process where host.os.type == "linux" and event.type == "start" and event.action == "exec" and process.name == "strace"]`, ""},
	{`sequence by host.hostname, host.id with maxspan=1m [process where host.os.type == "macos" and event.type == "start" and event.action == "exec" and process.name: "pbpaste"] with runs = 5`,
		`sequence by host.hostname, host.id with maxspan=1m [process where host.os.type == "macos" and event.type == "start" and event.action == "exec" and process.name : "pbpaste"] with runs=5`},
	{`sequence by host.id with maxspan=30s [file where host.os.type == "macos" and event.action == "launch_daemon"] by process.entity_id [process where host.os.type == "macos" and event.type in ("start", "process_started") and process.name == "launchctl" and process.args == "load"] by process.parent.entity_id`, ""},
	{`sequence by process.entity_id [process where host.os.type == "windows" and event.type == "start" and (process.name : "MSBuild.exe" or process.pe.original_file_name == "MSBuild.exe")] [library where host.os.type == "windows" and dll.name : ("vaultcli.dll", "SAMLib.DLL")]`, ""},
	{`sequence by winlog.computer_name, winlog.event_data.TaskName with maxspan=5m [iam where host.os.type == "windows" and event.action == "scheduled-task-created" and not user.name : "*$"] [iam where host.os.type == "windows" and event.action == "scheduled-task-deleted" and not user.name : "*$"]`, ""},
	{`sequence with maxspan=1m [process where host.os.type == "windows" and event.type == "start" and process.name : "mshta.exe" and process.args : "-Embedding" ] by host.id, process.entity_id [network where host.os.type == "windows" and event.type == "start" and process.name : "mshta.exe" and network.direction : ("incoming", "ingress") and network.transport == "tcp" and source.port > 49151 and destination.port > 49151 and source.ip != "127.0.0.1" and source.ip != "::1" ] by host.id, process.entity_id`,
		`sequence with maxspan=1m [process where host.os.type == "windows" and event.type == "start" and process.name : "mshta.exe" and process.args : "-Embedding"] by host.id, process.entity_id [network where host.os.type == "windows" and event.type == "start" and process.name : "mshta.exe" and network.direction : ("incoming", "ingress") and network.transport == "tcp" and source.port > 49151 and destination.port > 49151 and source.ip != "127.0.0.1" and source.ip != "::1"] by host.id, process.entity_id`},
	{`sequence by host.id with maxspan = 5s [process where host.os.type == "linux" and event.type == "start" and process.executable : ("/usr/bin/mkfifo","/usr/bin/mknod") and process.args:("/tmp/*","$*")] [process where host.os.type == "linux" and process.executable : ("/bin/sh","/bin/bash") and process.args:("-i") or (process.executable: ("/usr/bin/openssl") and process.args: ("-connect"))] [process where host.os.type == "linux" and (process.name:("nc","ncat","netcat","netcat.openbsd","netcat.traditional") or (process.name: "openssl" and process.executable: "/usr/bin/openssl"))]`,
		`sequence by host.id with maxspan=5s [process where host.os.type == "linux" and event.type == "start" and process.executable : ("/usr/bin/mkfifo", "/usr/bin/mknod") and process.args : ("/tmp/*", "$*")] [process where (host.os.type == "linux" and process.executable : ("/bin/sh", "/bin/bash") and process.args : "-i") or (process.executable : "/usr/bin/openssl" and process.args : "-connect")] [process where host.os.type == "linux" and (process.name : ("nc", "ncat", "netcat", "netcat.openbsd", "netcat.traditional") or (process.name : "openssl" and process.executable : "/usr/bin/openssl"))]`},
	{`sequence by host.id, process.entry_leader.entity_id with maxspan=1m [process where host.os.type == "linux" and event.type == "start" and event.action == "exec" and process.name == "gdb" and (process.thread.capabilities.effective : "CAP_SYS_PTRACE" or process.thread.capabilities.permitted : "CAP_SYS_PTRACE") and user.id != "0"] [process where host.os.type == "linux" and event.type == "start" and event.action == "exec" and process.name != null and user.id == "0"]`, ""},
	{`sequence by user.id with maxspan=5s [process where host.os.type == "windows" and event.action == "start" and process.name : "rundll32.exe" and process.command_line : ("*dfshim*ShOpenVerbApplication*", "*dfshim*#*")] [network where host.os.type == "windows" and process.name : "dfsvc.exe"]`, ""},
	{`file where host.os.type == "linux" and event.type == "creation" and file.name in ("release_agent", "notify_on_release") and not process.executable in ("/usr/bin/podman", "/sbin/sos", "/sbin/sosreport", "/usr/bin/git")`, ""},
	{`file where host.os.type == "macos" and event.action == "modification" and file.path like ("/private/etc/emond.d/rules/*.plist", "/etc/emond.d/rules/*.plist", "/private/var/db/emondClients/*")`, ""},
	{`process where host.os.type == "windows" and event.type == "start" and (process.name : "wbadmin.exe" or ?process.pe.original_file_name == "WBADMIN.EXE") and process.args : ("catalog", "backup", "systemstatebackup") and process.args : "delete"`, ""},
	{`process where event.type == "start" and process.args : "-netdev" and ( (process.args : "-nographic" and process.command_line : "*connect=*" and process.command_line : "*restrict=off*") or process.command_line : "*hostfwd=*" )`,
		`process where event.type == "start" and process.args : "-netdev" and ((process.args : "-nographic" and process.command_line : "*connect=*" and process.command_line : "*restrict=off*") or process.command_line : "*hostfwd=*")`},
	{`process where host.os.type == "macos" and event.type in ("start", "process_started") and process.name == "mount_apfs" and process.args like~ "/System/Volumes/Data" and process.args like~ "noowners"`, ""},
	{`process where host.os.type == "windows" and event.type == "start" and process.name regex~ """[a-z0-9]\.exe""" and process.pe.original_file_name != null`,
		`process where host.os.type == "windows" and event.type == "start" and process.name regex~ "[a-z0-9]\\.exe" and process.pe.original_file_name != null`},
	{`process where container.id: "*" and event.type== "start" and event.action in ("fork", "exec") and process.name: ("sshd", "ssh", "autossh")`,
		`process where container.id : "*" and event.type == "start" and event.action in ("fork", "exec") and process.name : ("sshd", "ssh", "autossh")`},
	{`network where host.os.type == "windows" and dns.question.name : "*UWhRC*BAAAA*"`, ""},
	{`any where data_stream.dataset == "network_traffic.pgsql" and ( network_traffic.pgsql.query like~ "*copy*from*program*" or network_traffic.pgsql.query like~ "*copy*to*program*" )`,
		`any where data_stream.dataset == "network_traffic.pgsql" and (network_traffic.pgsql.query like~ "*copy*from*program*" or network_traffic.pgsql.query like~ "*copy*to*program*")`},
	{`process where host.os.type == "linux" and event.type == "start" and event.action in ("exec", "exec_event", "ProcessRollup2") and process.name == "systemd-run" and process.args == "-t" and process.args_count >= 3 and user.id >= "1000000000"`, ""},
	{`configuration where host.os.type == "macos" and event.type == "change" and event.action == "od_group_add" and group.name:"admin"`,
		`configuration where host.os.type == "macos" and event.type == "change" and event.action == "od_group_add" and group.name : "admin"`},
	{`any where host.os.type == "windows" and event.category in ("file", "process") and ( (event.type == "creation" and file.path : "*\u{202E}*") or (event.type == "start" and process.name : "*\u{202E}*") )`,
		`any where host.os.type == "windows" and event.category in ("file", "process") and ((event.type == "creation" and file.path : "*\u{202e}*") or (event.type == "start" and process.name : "*\u{202e}*"))`},
	{`process where host.os.type == "linux" and event.type == "start" and event.action == "exec" and process.name == "curl" and process.args like ("--socks5-hostname", "--proxy", "--preproxy", "socks5*", "-x") and container.id like "?*"`, ""},
	{`network where host.os.type == "linux" and event.action == "connection_attempted" and destination.port == 445 and not startswith~(string(destination.ip), string(host.ip))`,
		`network where host.os.type == "linux" and event.action == "connection_attempted" and destination.port == 445 and not startsWith~(string(destination.ip), string(host.ip))`},
	{`registry where host.os.type == "windows" and length(registry.data.strings) > 0 and registry.path : "*\\Run\\*"`, ""},
	{`process where event.type == "start" and process.name : "cmd.exe" and length(process.command_line) > 255`, ""},
	{"process\nwhere\n  process.name == \"a\"", `process where process.name == "a"`},
}

// stripLocs zeroes every Loc and Src in a syntax tree, so that trees parsed
// from different texts compare equal when they mean the same.
func stripLocs(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			stripLocs(v.Elem())
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			stripLocs(v.Index(i))
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case f.Type() == reflect.TypeOf(Loc{}):
				f.Set(reflect.Zero(f.Type()))
			case v.Type().Field(i).Name == "Src":
				f.SetString("")
			default:
				stripLocs(f)
			}
		}
	}
}

func equalTrees(a, b *Query) bool {
	stripLocs(reflect.ValueOf(a))
	stripLocs(reflect.ValueOf(b))
	return reflect.DeepEqual(a, b)
}

func TestCanonical(t *testing.T) {
	seq := 0
	for _, tc := range canonicalTests {
		want := tc.want
		if want == "" {
			want = tc.in
		}
		q, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if q.Kind != EventQuery {
			seq++
		}
		if got := q.String(); got != want {
			t.Errorf("Parse(%q).String():\n got %s\nwant %s", tc.in, got, want)
			continue
		}
		checkLocs(t, q)
		// The canonical form parses back to an equal tree and prints the same.
		q2, err := Parse(want)
		if err != nil {
			t.Errorf("Parse(canonical %q): %v", want, err)
			continue
		}
		if q2.String() != want {
			t.Errorf("canonical form is not stable: %q -> %q", want, q2.String())
		}
		if !equalTrees(q, q2) {
			t.Errorf("Parse(%q) and Parse(%q) differ", tc.in, want)
		}
	}
	if len(canonicalTests) < 200 || seq < 30 {
		t.Errorf("the table has %d queries, %d sequences or samples; want at least 200 and 30", len(canonicalTests), seq)
	}
}

// checkLocs checks that every node's location is inside the query and
// covers the text of the node's children.
func checkLocs(t *testing.T, q *Query) {
	t.Helper()
	in := func(outer, inner Loc) bool {
		return outer.Start.Offset <= inner.Start.Offset && inner.End.Offset <= outer.End.Offset
	}
	valid := func(l Loc) bool {
		return l.Start.IsValid() && l.End.IsValid() && l.Start.Offset <= l.End.Offset && l.End.Offset <= len(q.Src) &&
			source.PosAt(q.Src, l.Start.Offset) == l.Start && source.PosAt(q.Src, l.End.Offset) == l.End
	}
	steps := q.Steps
	if q.Until != nil {
		steps = append(steps[:len(steps):len(steps)], q.Until)
	}
	for _, st := range steps {
		if !valid(st.Loc) || !in(q.Loc, st.Loc) || !in(st.Loc, st.CategoryLoc) || !in(st.Loc, st.Cond.Location()) {
			t.Errorf("%q: bad step location %+v", q.Src, st.Loc)
		}
		Walk(st.Cond, func(e Expr) bool {
			loc := e.Location()
			if !valid(loc) || !in(st.Loc, loc) {
				t.Errorf("%q: bad location %+v of %s", q.Src, loc, e)
				return false
			}
			text := loc.Text(q.Src)
			switch x := e.(type) {
			case *Field:
				if f, err := Parse("any where " + text); err != nil || f.Steps[0].Cond.(*Field).Name != x.Name {
					t.Errorf("%q: field %s has the text %q", q.Src, x.Name, text)
				}
			case *Literal:
				if l, err := Parse("any where " + text); err != nil || !reflect.DeepEqual(stripped(l.Steps[0].Cond), stripped(x)) {
					t.Errorf("%q: literal %s has the text %q", q.Src, x, text)
				}
			}
			Walk(e, func(c Expr) bool {
				if c != e && !in(loc, c.Location()) {
					t.Errorf("%q: %s is outside %s", q.Src, c, e)
				}
				return c == e
			})
			return true
		})
		for _, f := range st.By {
			if !valid(f.Loc) || !in(st.Loc, f.Loc) {
				t.Errorf("%q: bad location of key %s", q.Src, f)
			}
		}
	}
}

func stripped(e Expr) Expr {
	stripLocs(reflect.ValueOf(e))
	return e
}

func TestParseCategories(t *testing.T) {
	for in, want := range map[string]struct {
		cat string
		any bool
	}{
		"process where true":           {"process", false},
		`"my-category" where true`:     {"my-category", false},
		`"""a b""" where true`:         {"a b", false},
		"any where true":               {"", true},
		`"any" where true`:             {"any", false},
		"@something_1 where true":      {"@something_1", false},
		`"process" where process.name`: {"process", false},
	} {
		q, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		st := q.Steps[0]
		if st.Category != want.cat || st.Any != want.any {
			t.Errorf("Parse(%q): category %q any %v, want %q %v", in, st.Category, st.Any, want.cat, want.any)
		}
	}
}

func TestParseStructure(t *testing.T) {
	q := MustParse(`sequence by host.id, ?user.name with maxspan=90s
  [process where true] by process.pid with runs=2
  ![file where true] by process.pid
  [network where true] by process.parent.pid
until [process where event.type == "end"] by process.pid
| head 3 | tail 2`)
	if q.Kind != Sequence || len(q.By) != 2 || q.By[0].Name != "host.id" || !q.By[1].Optional || q.By[1].Name != "user.name" {
		t.Fatalf("sequence keys: %+v", q.By)
	}
	if q.MaxSpan == nil || q.MaxSpan.N != 90 || q.MaxSpan.Unit != "s" || q.MaxSpan.Duration().Seconds() != 90 {
		t.Fatalf("maxspan: %+v", q.MaxSpan)
	}
	if len(q.Steps) != 3 || q.Steps[0].Runs != 2 || !q.Steps[1].Missing || q.Steps[2].Missing || q.Steps[2].By[0].Name != "process.parent.pid" {
		t.Fatalf("steps: %s", q)
	}
	if q.Until == nil || q.Until.Category != "process" || q.Until.By[0].Name != "process.pid" {
		t.Fatalf("until: %+v", q.Until)
	}
	if len(q.Pipes) != 2 || q.Pipes[0].Name != "head" || q.Pipes[0].N != 3 || q.Pipes[1].Name != "tail" || q.Pipes[1].N != 2 {
		t.Fatalf("pipes: %+v", q.Pipes)
	}
	if got := q.Steps[1].Loc.Text(q.Src); got != "![file where true] by process.pid" {
		t.Errorf("step text %q", got)
	}
	if got := q.Steps[0].Loc.Start; got.Line != 2 || got.Col != 3 {
		t.Errorf("step position %v", got)
	}
	c := MustParse(`process where startswith~(process.name, "a") and process.pid in (1, 2) and a.b : ("x*", "y")`).Steps[0].Cond.(*And)
	call := c.X[0].(*Call)
	if call.Name != "startsWith" || !call.CI || len(call.Args) != 2 {
		t.Errorf("call %+v", call)
	}
	in := c.X[1].(*In)
	if in.Not || in.CI || len(in.List) != 2 {
		t.Errorf("in %+v", in)
	}
	m := c.X[2].(*PatternMatch)
	if m.Op != Colon || len(m.Patterns) != 2 || m.Patterns[0].Str != "x*" {
		t.Errorf("match %+v", m)
	}
	if f := Fields(c); !reflect.DeepEqual(f, []string{"process.name", "process.pid", "a.b"}) {
		t.Errorf("Fields = %v", f)
	}
}

func TestParseLiterals(t *testing.T) {
	for in, want := range map[string]*Literal{
		`"a\"b\\c\t\n\r\b\f\'"`:         {Kind: LitString, Str: "a\"b\\c\t\n\r\b\f'"},
		`"\u{41}\u{1F600}\u{0000200f}"`: {Kind: LitString, Str: "A\U0001F600\u200f"},
		`"""C:\Windows\"""`:             {Kind: LitString, Str: `C:\Windows\`},
		`"""a"b"""`:                     {Kind: LitString, Str: `a"b`},
		`"""x"""""`:                     {Kind: LitString, Str: `x""`},
		`42`:                            {Kind: LitInt, Int: 42},
		`-42`:                           {Kind: LitInt, Int: -42},
		`9223372036854775807`:           {Kind: LitInt, Int: 9223372036854775807},
		`4.5`:                           {Kind: LitFloat, Float: 4.5},
		`-4.5e2`:                        {Kind: LitFloat, Float: -450},
		`.25`:                           {Kind: LitFloat, Float: 0.25},
		`true`:                          {Kind: LitBool, Bool: true},
		`false`:                         {Kind: LitBool},
		`null`:                          {Kind: LitNull},
	} {
		q, err := Parse("any where " + in)
		if err != nil {
			t.Errorf("Parse(%s): %v", in, err)
			continue
		}
		got := stripped(q.Steps[0].Cond)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %#v, want %#v", in, got, want)
		}
	}
}

func TestFieldNames(t *testing.T) {
	for in, want := range map[string]string{
		"a.b.c":           "a.b.c",
		"`a-b`.c":         "a-b.c",
		"`a.b`.c":         "a.b.c",
		"a.`0`.b":         "a.0.b",
		"`x``y`":          "x`y",
		"@timestamp":      "@timestamp",
		"a.`sequence`":    "a.sequence",
		"`a..b`":          "a..b",
		"process.Ext.api": "process.Ext.api",
	} {
		q, err := Parse("any where " + in + " == 1")
		if err != nil {
			t.Errorf("Parse(%s): %v", in, err)
			continue
		}
		f := q.Steps[0].Cond.(*Compare).L.(*Field)
		if f.Name != want {
			t.Errorf("%s: name %q, want %q", in, f.Name, want)
		}
		// The printed name parses back to the same name.
		q2 := MustParse("any where " + f.String() + " == 1")
		if n := q2.Steps[0].Cond.(*Compare).L.(*Field).Name; n != want {
			t.Errorf("%s: printed as %s, which names %q", in, f, n)
		}
	}
}
