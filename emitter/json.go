package emitter

import (
	"github.com/tidwall/gjson"

	"github.com/emit-sec/emit/document"
)

// jsonField returns the raw JSON of a dotted field in a nested document.
func jsonField(doc []byte, field string) string {
	return gjson.GetBytes(doc, document.Path(field)).Raw
}
