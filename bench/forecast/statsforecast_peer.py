"""Peer check: statsforecast's AutoETS, AutoTheta, AutoARIMA, MSTL, SeasonalNaive and Theta under
catcast's backtest protocol.

Reads the series written by bench/forecast/peer.ts (long CSV unique_id,ds,y with integer ds, and a JSON
object mapping each series id to its family, season length m, origin count k and batch), runs a
rolling-origin, one-step-ahead cross-validation per (batch, family, m, k) group with refit=False (fit
once before the first origin, then roll the state forward: the same protocol as pkg/forecast-engine)
and appends, group by group, the one-step forecasts and the CPU time each model spent on the group.
Metrics are computed on the TypeScript side with the same code as our models.

Output directory (appended to as groups finish, so an interrupted run leaves complete groups):
  forecasts.csv  unique_id,model,ds,forecast
  timings.jsonl  one line per group and model: {"family", "model", "ids", "cpuSeconds", "wallSeconds"}
  version.json   {"version": statsforecast version, "n_jobs": 1}

MSTL runs where the season is long (m = 52 for WEEK; DAY with periods 7 and 365), with the periods
that have at least two full cycles in the fitting window (the rule of R's forecast::mstl, which
statsforecast does not apply itself); series with no such period get no MSTL forecast.

usage: [CATCAST_PEER_MODELS=A,B] python statsforecast_peer.py INPUT.csv GROUPS.json OUTDIR
"""

import os

# One thread: the comparison is one thread against one thread.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import pandas as pd  # noqa: E402
import statsforecast  # noqa: E402
from statsforecast import StatsForecast  # noqa: E402
from statsforecast.models import MSTL, AutoARIMA, AutoETS, AutoTheta, SeasonalNaive, Theta  # noqa: E402

warnings.filterwarnings("ignore")

MODELS = {
    "AutoETS": lambda m: AutoETS(season_length=m),
    "AutoTheta": lambda m: AutoTheta(season_length=m),
    "AutoARIMA": lambda m: AutoARIMA(season_length=m),
    "SeasonalNaive": lambda m: SeasonalNaive(season_length=m),
    "Theta": lambda m: Theta(season_length=m),
}


# CATCAST_PEER_MODELS=MSTL,Theta runs only those (e.g. to fill in a model that did not finish).
ONLY = [x for x in os.environ.get("CATCAST_PEER_MODELS", "").split(",") if x]
if ONLY:
    MODELS = {k: v for k, v in MODELS.items() if k in ONLY}
RUN_MSTL = not ONLY or "MSTL" in ONLY


def mstl_periods(m, fit_length):
    """The MSTL seasonal periods for a series, or None where MSTL does not run."""
    if m == 52:
        candidates = [52]
    elif m == 7:
        candidates = [7, 365]
    else:
        return None
    periods = [p for p in candidates if 2 * p <= fit_length]
    return tuple(periods) if periods else None


def run_cv(model, frame, k):
    cv = StatsForecast(models=[model], freq=1, n_jobs=1).cross_validation(
        df=frame, h=1, n_windows=int(k), step_size=1, refit=False
    )
    cv = cv.reset_index() if "unique_id" not in cv.columns else cv
    return cv


def main():
    inp, groups_path, out_dir = sys.argv[1:4]
    os.makedirs(out_dir, exist_ok=True)
    df = pd.read_csv(inp)
    with open(groups_path) as f:
        groups = json.load(f)
    meta = pd.DataFrame(
        [
            {"unique_id": k, "m": v["m"], "k": v["k"], "family": v["family"], "batch": v.get("batch", 0)}
            for k, v in groups.items()
        ]
    )
    lengths = df.groupby("unique_id").size().rename("n").reset_index()
    meta = meta.merge(lengths, on="unique_id")
    df = df.merge(meta[["unique_id", "m", "k", "family", "batch"]], on="unique_id")

    # Warm-up on a tiny frame so one-time import/compile costs are not charged to the first group.
    warm = pd.DataFrame({"unique_id": ["w"] * 40, "ds": list(range(40)), "y": [float(i % 7 + 1) for i in range(40)]})
    for make in MODELS.values():
        run_cv(make(7), warm, 3)
    run_cv(MSTL(season_length=[7]), warm, 3)

    with open(os.path.join(out_dir, "version.json"), "w") as f:
        json.dump({"version": statsforecast.__version__, "n_jobs": 1}, f)
    fc_path = os.path.join(out_dir, "forecasts.csv")
    if not os.path.exists(fc_path):
        with open(fc_path, "w") as f:
            f.write("unique_id,model,ds,forecast\n")

    def emit(name, cv, ids, cpu, wall, family):
        rows = cv[["unique_id", "ds", name]].rename(columns={name: "forecast"})
        rows.insert(1, "model", name)
        rows.to_csv(fc_path, mode="a", header=False, index=False)
        with open(os.path.join(out_dir, "timings.jsonl"), "a") as f:
            f.write(
                json.dumps(
                    {"family": family, "model": name, "ids": ids, "cpuSeconds": cpu, "wallSeconds": wall}
                )
                + "\n"
            )

    order = meta.sort_values(["batch", "family", "m", "k"], kind="stable")
    for (batch, family, m, k), g in order.groupby(["batch", "family", "m", "k"], sort=False):
        ids = list(g["unique_id"])
        frame = df[df.unique_id.isin(ids)][["unique_id", "ds", "y"]]
        for name, make in MODELS.items():
            c0, t0 = time.process_time(), time.perf_counter()
            cv = run_cv(make(int(m)), frame, k)
            emit(name, cv, ids, time.process_time() - c0, time.perf_counter() - t0, family)
        by_periods = {}
        for uid, n in zip(g["unique_id"], g["n"]) if RUN_MSTL else []:
            p = mstl_periods(int(m), int(n) - int(k))
            if p is not None:
                by_periods.setdefault(p, []).append(uid)
        for periods, pids in by_periods.items():
            c0, t0 = time.process_time(), time.perf_counter()
            sub = frame[frame.unique_id.isin(pids)]
            cv = run_cv(MSTL(season_length=list(periods)), sub, k)
            emit("MSTL", cv, pids, time.process_time() - c0, time.perf_counter() - t0, family)
        print(f"statsforecast_peer: batch {batch} {family} m={m} k={k}: {len(ids)} series", flush=True)


if __name__ == "__main__":
    main()
