package date

import "time"

// Calendar arithmetic of the proleptic Gregorian calendar in UTC, on days
// since the epoch (Howard Hinnant's days_from_civil and civil_from_days),
// which the time package would do more slowly through time.Date.

// daysFromCivil is the number of days from 1970-01-01 to y-m-d.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := int64((m + 9) % 12)
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the date z days after 1970-01-01.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if m > 12 {
		m -= 12
	}
	y = yoe + era*400
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysIn is the number of days of a month (year 0 is a leap year).
func daysIn(year int64, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// split is t as days since the epoch and seconds and nanoseconds of the
// day, in UTC.
func split(t time.Time) (days, secOfDay int64, nano int) {
	sec := t.Unix()
	days = floorDiv(sec, 86400)
	return days, sec - days*86400, t.Nanosecond()
}

// join is the instant of days since the epoch plus seconds and
// nanoseconds.
func join(days, sec int64, nano int) time.Time {
	return time.Unix(days*86400+sec, int64(nano)).UTC()
}
