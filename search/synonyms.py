"""Ways of saying one thing that a lay reader and a write-up may use: data only.

Each group lists words for one thing; a search that says any of them also finds posts that
say another ("alemtuzumab side effects" finds a post about alemtuzumab's adverse events).
``search.query`` expands a query with them: any word of a group will do for that part of
the query, and every part must still match. Matching ignores case, accents, hyphens and a
plural "s" ("Side-effects", "adverse events").

Keep each group sure: a word that only sometimes means the same ("risk" for "side effect")
would widen every search that uses it. Brands stand with their one medicine only (Avonex is
interferon beta-1a too, but a reader who asks for Rebif asks for Rebif).
"""

SYNONYM_GROUPS = (
    ("side effect", "adverse effect", "adverse event", "adverse reaction", "harm"),
    ("Lemtrada", "alemtuzumab"),
    ("Rebif", "interferon beta-1a"),
    ("IFN", "interferon"),
    ("MS", "multiple sclerosis"),
    ("RRMS", "relapsing-remitting multiple sclerosis", "relapsing-remitting MS"),
    ("heart attack", "myocardial infarction"),
    ("stroke", "cerebrovascular accident"),
    ("Tysabri", "natalizumab"),
    ("Ocrevus", "ocrelizumab"),
    ("Gilenya", "fingolimod"),
    ("Copaxone", "glatiramer acetate"),
)
