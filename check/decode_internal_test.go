package check

import (
	"strings"
	"testing"
)

// decodeDocument is document.Decode (tested there) with an error that
// names the document.
func TestDecodeDocument(t *testing.T) {
	got, err := decodeDocument([]byte(`{"process":{"pid":4242}}`))
	if err != nil || got["process"].(map[string]any)["pid"].(interface{ String() string }).String() != "4242" {
		t.Errorf("got %#v, %v", got, err)
	}
	if _, err := decodeDocument([]byte(`{"a":`)); err == nil || !strings.Contains(err.Error(), `generated invalid JSON`) || !strings.Contains(err.Error(), `{"a":`) {
		t.Errorf("error %v, want one naming the document", err)
	}
}
