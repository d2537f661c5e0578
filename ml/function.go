package ml

import "github.com/emit-sec/emit/ml/job"

// The analysis functions are read once, in package job.
type (
	family   = job.Family
	side     = job.Side
	function = job.Function
)

const (
	famRare     = job.FamRare
	famCount    = job.FamCount
	famDistinct = job.FamDistinct
	famMetric   = job.FamMetric
	famInfo     = job.FamInfo
	famTime     = job.FamTime
	famLatLong  = job.FamLatLong

	sideBoth = job.SideBoth
	sideHigh = job.SideHigh
	sideLow  = job.SideLow
)

// highSide reports whether the anomaly emit makes of f is a high value
// (a function of both sides is made high).
func highSide(f function) bool { return f.Side != sideLow }

func functionOf(name string) (function, error) { return job.ParseFunction(name) }
