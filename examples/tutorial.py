"""A first session with minsec in Python: the notebook front door, step by step.

Run it as a script (``python examples/tutorial.py``) or paste the cells into a notebook. It
reads the store at ``$MINSEC_STORE`` (build it first: ``minsec data build``); the tests run it
against their own store. Every table it prints carries a ``source`` column.
"""

# %% Which minerals put Korea most at risk, and on what evidence?
import minsec

kor = minsec.assess("KOR")  # the latest trade year; minsec.assess("KOR", 2023) for another
print(kor[["rank", "mineral", "risk_score", "top_supplier", "top_supplier_share"]].head(5))
print("evidence for the first:", kor["source"].iloc[0])

# %% How has one of them moved over time?
graphite = minsec.trend("graphite", "KOR")
print(graphite[["year", "top_supplier", "china_share", "import_reliance"]].tail(5))

# %% Korea beside Japan, for two minerals
side = minsec.compare(["KOR", "JPN"], minerals=["graphite", "lithium"])
print(side[["mineral", "importer", "rank", "china_share", "risk_score"]])

# %% What would China's 2023 graphite controls cost, with Korea's stockpile held at 100 days?
run = minsec.scenario("CN-2023-graphite", draws=500, stockpile_days=100)
print(run)
print(run.summary[["mineral", "p_shortfall", "unmet_mean_t", "loss_mean_usd", "source"]])

# %% World lithium demand to 2050 (IEA), and Korea's part of it
world = minsec.outlook("lithium", "APS")
print(world)
print(world.demand.pivot_table(index="sector", columns="year", values="value_kt"))
print(world.totals[["sector", "year", "value_kt", "covers"]])  # the IEA's own: never added
print(minsec.outlook("lithium", "APS", "KOR"))  # scaled by Korea's share of consumption

# %% Are Korea's targets on track?
plan = minsec.targets("KOR")
print(plan)
print(plan.tracked[["target", "baseline", "today", "target_value", "target_year", "on_track"]])

# %% A mistake is one readable line, a minsec.MinsecError
try:
    minsec.assess("Atlantis")
except minsec.MinsecError as exc:
    print("refused:", exc)

# %% The briefing itself (HTML, PDF, XLSX): minsec.report("KOR", out="out")
