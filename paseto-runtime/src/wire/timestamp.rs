//! Times as fastapi-paseto writes them: RFC 3339 in UTC, whole seconds.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Parses an RFC 3339 timestamp. The form this crate and fastapi-paseto write,
/// `YYYY-MM-DDTHH:MM:SS+00:00`, is read directly; any other goes through the full
/// RFC 3339 parser.
pub(crate) fn parse_time(text: &str) -> Option<OffsetDateTime> {
    parse_utc_seconds(text.as_bytes()).or_else(|| OffsetDateTime::parse(text, &Rfc3339).ok())
}

/// `YYYY-MM-DDTHH:MM:SS+00:00` exactly, or `None`.
fn parse_utc_seconds(text: &[u8]) -> Option<OffsetDateTime> {
    let [
        y0,
        y1,
        y2,
        y3,
        b'-',
        m0,
        m1,
        b'-',
        d0,
        d1,
        b'T',
        h0,
        h1,
        b':',
        mi0,
        mi1,
        b':',
        s0,
        s1,
        b'+',
        b'0',
        b'0',
        b':',
        b'0',
        b'0',
    ] = *text
    else {
        return None;
    };
    let digit = |c: u8| c.is_ascii_digit().then(|| c - b'0');
    let two = |a: u8, b: u8| Some(digit(a)? * 10 + digit(b)?);
    let year = i32::from(two(y0, y1)?) * 100 + i32::from(two(y2, y3)?);
    let month = time::Month::try_from(two(m0, m1)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, two(d0, d1)?).ok()?;
    let time = time::Time::from_hms(two(h0, h1)?, two(mi0, mi1)?, two(s0, s1)?).ok()?;
    Some(date.with_time(time).assume_utc())
}

/// Formats a time as fastapi-paseto does: RFC 3339 in UTC, whole seconds, `+00:00`.
pub(crate) fn format_time(time: OffsetDateTime) -> TimeText {
    let t = time.to_offset(time::UtcOffset::UTC);
    let fields = [
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    ];
    let year = u16::try_from(t.year()).ok().filter(|year| *year <= 9999);
    let Some(year) = year else {
        let [month, day, hour, minute, second] = fields;
        let year = t.year();
        return TimeText::Other(format!(
            "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}+00:00"
        ));
    };
    let mut text = *b"0000-00-00T00:00:00+00:00";
    write_digits(&mut text[..4], year);
    for (at, value) in [5, 8, 11, 14, 17].into_iter().zip(fields) {
        write_digits(&mut text[at..at + 2], u16::from(value));
    }
    TimeText::Fixed(text)
}

/// `value`'s last decimal digits, as many as `out` holds.
fn write_digits(out: &mut [u8], mut value: u16) {
    for digit in out.iter_mut().rev() {
        *digit = b'0' + u8::try_from(value % 10).unwrap_or_default();
        value /= 10;
    }
}

/// A time as written into a token or shown to a client: on the stack for the
/// years 0 to 9999, which holds every time this crate issues itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TimeText {
    Fixed([u8; 25]),
    Other(String),
}

impl TimeText {
    pub(crate) fn as_str(&self) -> &str {
        match self {
            // ASCII digits and separators only.
            Self::Fixed(text) => std::str::from_utf8(text).unwrap_or_default(),
            Self::Other(text) => text,
        }
    }
}

impl serde::Serialize for TimeText {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// The tests compare times with their text.
#[cfg(test)]
impl PartialEq<&str> for TimeText {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn times_are_written_as_fastapi_paseto_writes_them() {
        let t = datetime!(2026-11-26 06:33:04.999 +01:00);
        assert_eq!(format_time(t), "2026-11-26T05:33:04+00:00");
        assert_eq!(
            format_time(datetime!(0001-02-03 04:05:06 UTC)),
            "0001-02-03T04:05:06+00:00"
        );
        assert_eq!(
            format_time(datetime!(9999-12-31 23:59:59 UTC)),
            "9999-12-31T23:59:59+00:00"
        );
        assert_eq!(
            format_time(datetime!(-0005-01-01 00:00:00 UTC)),
            "-005-01-01T00:00:00+00:00"
        );
        for (year, text) in [
            (0, "0000"),
            (9, "0009"),
            (99, "0099"),
            (999, "0999"),
            (-9999, "-9999"),
        ] {
            let t = datetime!(2000-06-07 08:09:10 UTC)
                .replace_year(year)
                .unwrap();
            assert_eq!(
                format_time(t),
                format!("{text}-06-07T08:09:10+00:00").as_str()
            );
        }
        assert_eq!(
            parse_time("2026-11-26T05:33:04+00:00"),
            Some(datetime!(2026-11-26 05:33:04 UTC))
        );
    }

    #[test]
    fn the_direct_reading_agrees_with_the_rfc_3339_parser() {
        for text in [
            "2026-11-26T05:33:04+00:00",
            "2000-02-29T23:59:59+00:00",
            "9999-12-31T23:59:59+00:00",
            "0000-01-01T00:00:00+00:00",
        ] {
            assert_eq!(
                parse_utc_seconds(text.as_bytes()),
                OffsetDateTime::parse(text, &Rfc3339).ok(),
                "{text}"
            );
        }
        for text in [
            "2026-02-30T00:00:00+00:00",
            "2026-13-01T00:00:00+00:00",
            "2026-01-01T24:00:00+00:00",
            "2026-01-01T00:00:60+00:00",
            "2026-01-01T00:00:00+01:00",
            "2026-01-01 00:00:00+00:00",
            "+026-01-01T00:00:00+00:00",
        ] {
            assert_eq!(parse_utc_seconds(text.as_bytes()), None, "{text}");
        }
        assert_eq!(
            parse_time("2026-01-01T01:00:00+01:00"),
            parse_time("2026-01-01T00:00:00+00:00"),
            "other offsets take the full parser"
        );
    }

    #[test]
    fn python_isoformat_with_microseconds_and_zulu_parse() {
        assert!(parse_time("2026-11-26T06:33:04.123456+00:00").is_some());
        assert!(parse_time("2026-11-26T06:33:04Z").is_some());
        assert!(parse_time("1700000000").is_none());
        assert!(parse_time("2026-11-26").is_none());
    }
}
