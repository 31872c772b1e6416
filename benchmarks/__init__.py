"""`make bench`: render times, query counts, page sizes and throughput figures.

Run through scripts/bench.sh, which prepares a throwaway database and the environment;
each module here has one job (data, render, throughput, submissions, summary).
"""
