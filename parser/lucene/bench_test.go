package lucene

import "testing"

// benchRule is the longest lucene rule of the Kibana 8.2.1 package
// ("Setuid / Setgid Bit Set via chmod"): value lists, phrases, regular
// expressions with escaped slashes, a wildcard, NOT and AND over lines.
const benchRule = `event.category:process AND event.type:(start OR process_started) AND
 process.name:chmod AND process.args:("+s" OR "u+s" OR /4[0-9]{3}/ OR g+s OR /2[0-9]{3}/) AND
 NOT process.args:
           (
             /.*\/Applications\/VirtualBox.app\/.+/ OR
             /\/usr\/local\/lib\/python.+/ OR
             /\/var\/folders\/.+\/FP.*nstallHelper/ OR
             /\/Library\/Filesystems\/.+/ OR
             /\/usr\/lib\/virtualbox\/.+/ OR
             /\/Library\/Application.*/ OR
             "/run/postgresql" OR
             "/var/crash" OR
             "/var/run/postgresql" OR
             /\/usr\/bin\/.+/ OR /\/usr\/local\/share\/.+/ OR
             /\/Applications\/.+/ OR /\/usr\/libexec\/.+/ OR
             "/var/metrics" OR /\/var\/lib\/dpkg\/.+/ OR
             /\/run\/log\/journal\/.*/ OR
             \/Users\/*\/.minikube\/bin\/docker-machine-driver-hyperkit
           ) AND
 NOT process.parent.executable:
           (
             /\/var\/lib\/docker\/.+/ OR
             "/System/Library/PrivateFrameworks/PackageKit.framework/Versions/A/XPCServices/package_script_service.xpc/Contents/MacOS/package_script_service" OR
             "/var/lib/dpkg/info/whoopsie.postinst"
           )`

func BenchmarkParse(b *testing.B) {
	if _, err := Parse(benchRule); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(benchRule)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(benchRule); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseSimple(b *testing.B) {
	const src = `process.name:cmd.exe AND NOT user.name:SYSTEM`
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(src); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkConstraints(b *testing.B) {
	q, err := Parse(benchRule)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := q.Constraints(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkString(b *testing.B) {
	q, err := Parse(benchRule)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = q.String()
	}
}

// BenchmarkEval judges one document of the longest rule: every clause runs
// (the prohibited regular expressions all fail on it).
func BenchmarkEval(b *testing.B) {
	q, err := Parse(benchRule)
	if err != nil {
		b.Fatal(err)
	}
	doc := map[string]any{
		"event":   map[string]any{"category": "process", "type": "start"},
		"process": map[string]any{"name": "chmod", "args": []any{"chmod", "4755", "/opt/tool/bin/helper"}, "parent": map[string]any{"executable": "/bin/bash"}},
	}
	if !Match(q, doc, nil, evalNow) {
		b.Fatal("no match")
	}
	b.ReportAllocs()
	for b.Loop() {
		Match(q, doc, nil, evalNow)
	}
}
