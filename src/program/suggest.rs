//! "Did you mean" for misspelt keys and values.

/// The allowed word nearest to `typed`, when it is near enough to be a
/// likely typo.
pub fn nearest<'a>(typed: &str, allowed: &[&'a str]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    allowed
        .iter()
        .map(|word| (edit_distance(&typed, word), *word))
        .filter(|(distance, word)| *distance <= (word.chars().count() / 3).max(2))
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, word)| word)
}

/// A list of words as people write it: "`a`, `b` or `c`".
pub fn one_of(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_close_typos_and_ignores_strangers() {
        let keys = ["speed", "steps", "incline", "direction"];
        assert_eq!(nearest("spede", &keys), Some("speed"));
        assert_eq!(nearest("Incline", &keys), Some("incline"));
        assert_eq!(nearest("directon", &keys), Some("direction"));
        assert_eq!(nearest("colour", &keys), None);
    }

    #[test]
    fn lists_read_like_prose() {
        assert_eq!(one_of(&["a"]), "`a`");
        assert_eq!(one_of(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
