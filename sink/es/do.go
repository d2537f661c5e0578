package es

import "context"

// Response is Elasticsearch's answer to a request made with Do.
type Response struct {
	Status int
	Body   []byte
}

// OK reports a 2xx status.
func (r *Response) OK() bool { return r.Status/100 == 2 }

// ErrorType and Reason are the type and reason of an error answer
// ("resource_already_exists_exception", "The job cannot be created ...");
// empty when the answer has none.
func (r *Response) ErrorType() string { return r.raw().esError().Type }

// Reason is the reason of an error answer.
func (r *Response) Reason() string { return r.raw().esError().Reason }

// Describe renders an answer's status and error: "404 Not Found:
// resource_not_found_exception: No known job with id 'x'".
func (r *Response) Describe() string { return r.raw().describe() }

func (r *Response) raw() *response { return &response{status: r.Status, body: r.Body} }

// Do sends an administrative request (the ML APIs, _refresh, ...) with
// the sink's client: its credentials, TLS settings, timeout and retries of
// 429/502/503/504 answers. path is relative to the cluster's address and
// may hold a query string; body, when not nil, is encoded as JSON (a
// json.RawMessage is sent as is). An answer with an error status is a
// Response, not an error; errors are failures to talk to the cluster,
// with no secret in their text.
func (s *Sink) Do(ctx context.Context, method, path string, body any) (*Response, error) {
	res, err := s.request(ctx, method, path, body)
	if err != nil {
		return nil, err
	}
	return &Response{Status: res.status, Body: res.body}, nil
}
