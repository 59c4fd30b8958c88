//! Versions of a trip's seat map, as live seat-map events and pages carry
//! them: `instance.generation`, where `instance` names the server process
//! (eight hex digits) and `generation` counts the trip's announced changes
//! there. A page keeps the version of the map it shows; an event whose
//! version it has already seen (it answered the page's own click) needs no
//! new fetch.

/// Whether a page showing the map at version `shown` already has the
/// change announced as `event`: the same instance and no later generation.
/// Anything else (another instance's version, an unreadable one, an event
/// that stands for missed ones) is news, and the page fetches the map.
pub fn version_seen(event: &str, shown: &str) -> bool {
    let parse = |v: &str| {
        let (instance, generation) = v.split_once('.')?;
        Some((instance.to_string(), generation.parse::<u64>().ok()?))
    };
    match (parse(event), parse(shown)) {
        (Some((a, n)), Some((b, m))) => a == b && n <= m,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::version_seen;

    #[test]
    fn only_an_older_or_equal_change_of_the_same_instance_is_seen() {
        assert!(version_seen("0a0b0c0d.7", "0a0b0c0d.7"));
        assert!(version_seen("0a0b0c0d.6", "0a0b0c0d.7"));
        assert!(!version_seen("0a0b0c0d.8", "0a0b0c0d.7"));
        assert!(
            !version_seen("ffffffff.1", "0a0b0c0d.7"),
            "another instance"
        );
        assert!(!version_seen("changed", "0a0b0c0d.7"));
        assert!(!version_seen("0a0b0c0d.7", ""));
    }
}
