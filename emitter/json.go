package emitter

import (
	"github.com/tidwall/gjson"
)

// jsonField returns the raw JSON of a dotted field in a nested document.
func jsonField(doc []byte, field string) string {
	return gjson.GetBytes(doc, gjsonPath(field)).Raw
}

func gjsonPath(field string) string {
	b := make([]byte, 0, len(field)+4)
	for i := 0; i < len(field); i++ {
		switch c := field[i]; c {
		case '*', '?', '|', '#', '@', '\\', '!', '=', '<', '>', '%':
			b = append(b, '\\', c)
		default:
			b = append(b, c)
		}
	}
	return string(b)
}
