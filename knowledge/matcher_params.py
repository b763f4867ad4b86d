"""The matcher's tuning constants, in one place so calibration edits one file.

Every value was calibrated on the labelled dev set with benchmarks/calibrate.py;
changing one changes answers, so they are kept apart from the code that uses them.
"""

from __future__ import annotations

MAX_CHARS = 4000  # a question longer than this is cut before normalization
MAX_WORDS = 500  # and to this many words after it
MAX_CORRECTED_LENGTH = 24  # longer tokens are never typo-corrected

# Field weights: how much a term counts for a topic, by where the topic has it.
FIELD_WEIGHTS = {"name": 1.0, "alias": 1.0, "keyword": 0.9, "example": 0.75, "summary": 0.45, "group": 0.4}
ROW_FIELDS = ("name", "alias", "keyword", "example")
# Row similarity counts rows by field too (an example is a weaker witness).
ROW_WEIGHTS = {"name": 1.0, "alias": 1.0, "keyword": 0.95, "example": 0.9}

COVERAGE_WEIGHT = 0.55
BIGRAM_WEIGHT = 0.8  # bigram weight relative to its idf
BIGRAM_NOISE_WEIGHT = 0.15  # a bigram with a stopword on one side
NUMBER_WEIGHT = 0.5  # a bare number
UNKNOWN_WEIGHT = 1.6  # weight of a word that no topic knows (typo, other domain)
STOPWORD_WEIGHT = 0.08  # chat noise, pronouns, particles
OOD_MARGIN = 0.2  # an out-of-domain word needs this much above the answer threshold
CORRECTED_FACTOR = 0.85  # a typo-corrected word counts a little less
OUT_OF_DOMAIN_WEIGHT = 6.0  # a word that names another domain (weather, lottery)
SYNONYM_FACTOR = 0.5  # canonical words added by the synonym table
UNKNOWN_NORM = 0.5  # how much unknown mass enlarges the query norm (row similarity)
UNCOVERED_MAX = 4.5  # unexplained single-word weight that stops a middling answer (two rare words)
LONE_WORD_ROW = 0.9  # a one-word question is answered only if a row is about that word alone
UNCOVERED_SCORE = 0.7  # ... unless the best score is at least this
MIN_EVIDENCE = 0.8  # idf mass the best topic must explain (about one informative word)
CANDIDATES = 20  # topics (best by coverage) whose rows are compared
MIN_IDF = 0.3  # terms in nearly every topic are left out

DEFAULT_ANSWER_THRESHOLD = 0.56
DEFAULT_CLARIFY_THRESHOLD = 0.29
DEFAULT_MARGIN = 0.06
