package check_test

// esqlShare is the least share (%) of the non-deprecated ES|QL rules of
// detection-rules that must be ok.
const esqlShare = 95.0
