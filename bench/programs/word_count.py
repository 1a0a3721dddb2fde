"""Dict and string processing: generate text, count words, build a report."""

GROUP = "object"
SIZES = {"quick": 32_000, "full": 450_000}
FUNCTIONS = ["make_words", "count_words", "render", "checksum", "run"]

SYLLABLES = ["ka", "lo", "mi", "tra", "ne", "so", "vu", "ri", "pel", "do", "xa", "qui"]


def make_words(n):
    words = []
    seed = 2024
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) % 2147483648
        parts = 1 + (seed >> 8) % 3
        w = ""
        for k in range(parts):
            w += SYLLABLES[(seed >> (4 * k + 11)) % len(SYLLABLES)]
        if (seed >> 20) % 17 == 0:
            w = w.capitalize()
        words.append(w)
    return words


def count_words(text):
    counts = {}
    for raw in text.split():
        word = raw.strip(".,;").lower()
        if not word:
            continue
        counts[word] = counts.get(word, 0) + 1
    return counts


def render(counts, top):
    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    lines = []
    for rank, (word, count) in enumerate(items, 1):
        lines.append(f"{rank:>3}. {word:<12}{count:>7} {'#' * min(count // 50, 30)}")
    return "\n".join(lines)


def checksum(s):
    h = 0
    for ch in s:
        h = (h * 131 + ord(ch)) % 1_000_000_007
    return h


def run(n):
    words = make_words(n)
    pieces = []
    for i, w in enumerate(words):
        pieces.append(w)
        if i % 11 == 10:
            pieces.append(w + ".")
    text = " ".join(pieces)
    counts = count_words(text)
    report = render(counts, 20)
    longest = max(counts, key=len)
    upper = sum(1 for w in words if w[0].isupper())
    return len(text), len(counts), checksum(report), longest, upper
