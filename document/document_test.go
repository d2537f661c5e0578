package document

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tidwall/gjson"
)

func TestBuild(t *testing.T) {
	b := NewBuilder()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6e6, time.UTC)
	tests := []struct {
		fields []string
		values []string
		want   string
	}{
		{[]string{"process.name"}, []string{`"a.exe"`},
			`{"@timestamp":"2024-01-02T03:04:05.006Z","process":{"name":"a.exe"}}`},
		{[]string{"destination.port", "process.name", "process.pid"}, []string{`80`, `"x"`, `12`},
			`{"@timestamp":"2024-01-02T03:04:05.006Z","destination":{"port":80},"process":{"name":"x","pid":12}}`},
		{[]string{"@timestamp", "event.category"}, []string{`"2020-01-01T00:00:00.000Z"`, `["process"]`},
			`{"@timestamp":"2020-01-01T00:00:00.000Z","event":{"category":["process"]}}`},
		{[]string{"winlog.event_data.1", "a*b", "x@y"}, []string{`1`, `2`, `3`},
			`{"@timestamp":"2024-01-02T03:04:05.006Z","winlog":{"event_data":{"1":1}},"a*b":2,"x@y":3}`},
	}
	for _, tt := range tests {
		vals := make([][]byte, len(tt.values))
		for i, v := range tt.values {
			vals[i] = []byte(v)
		}
		got, err := b.Build([]byte("prefix"), ts, tt.fields, vals)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != "prefix"+tt.want {
			t.Errorf("Build(%v) =\n%s\nwant\n%s", tt.fields, got, tt.want)
		}
		if !json.Valid(got[len("prefix"):]) {
			t.Errorf("invalid JSON: %s", got)
		}
	}
}

func BenchmarkBuild(b *testing.B) {
	bl := NewBuilder()
	ts := time.Now()
	fields := []string{"destination.port", "process.name", "source.ip"}
	vals := [][]byte{[]byte(`443`), []byte(`"cmd.exe"`), []byte(`"10.1.2.3"`)}
	var buf []byte
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		buf, _ = bl.Build(buf[:0], ts, fields, vals)
	}
}

func TestPathReadsWhatBuildWrites(t *testing.T) {
	b := NewBuilder()
	fields := []string{"a.0.b", "x@y.z", "p.q*r"}
	vals := [][]byte{[]byte(`1`), []byte(`2`), []byte(`3`)}
	doc, err := b.Build(nil, time.Unix(0, 0), fields, vals)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fields {
		if got := gjson.GetBytes(doc, Path(f)).Raw; got != string(vals[i]) {
			t.Errorf("%s: read %q from %s", f, got, doc)
		}
	}
}

func TestJSONText(t *testing.T) {
	for _, s := range []string{"", "plain", `C:\Windows\x.exe`, "quote\"d", "tab\tnew\nline", "ctl\x01", "é日本", `\\server\share\`, "\u2028"} {
		raw := AppendString(nil, s)
		if !json.Valid(raw) {
			t.Errorf("AppendString(%q) = %s: not JSON", s, raw)
		}
		if got, ok := Text(raw); !ok || got != s {
			t.Errorf("Text(%s) = %q, %v", raw, got, ok)
		}
	}
	for raw, want := range map[string]string{`42`: "42", `true`: "true", `["a","b"]`: "a", `[1]`: "1"} {
		if got, ok := Text([]byte(raw)); !ok || got != want {
			t.Errorf("Text(%s) = %q, %v", raw, got, ok)
		}
	}
	if got, ok := Text([]byte(`"a\u00e9\/b"`)); !ok || got != "aé/b" {
		t.Errorf("escapes: %q, %v", got, ok)
	}
	for _, raw := range []string{`null`, `{}`, `[]`, ``, `"unterminated`, `"bad\q"`, "\"raw\x01ctl\"", `"a"b"`} {
		if got, ok := Text([]byte(raw)); ok {
			t.Errorf("Text(%s) = %q", raw, got)
		}
	}
}
