"""Peer check: statsforecast's AutoETS, AutoTheta, AutoARIMA, SeasonalNaive and Theta under catcast's
backtest protocol.

Reads the series written by bench/forecast/run.ts (long CSV unique_id,ds,y with integer ds, and a JSON
of each series' season length m and origin count k), runs a rolling-origin, one-step-ahead
cross-validation per (m, k) group with refit=False (fit once before the first origin, then roll the
state forward: the same protocol as pkg/forecast-engine), and writes the one-step forecasts plus the wall
time per model. Metrics are computed on the TypeScript side with the same code as our models.

usage: python statsforecast_peer.py INPUT.csv GROUPS.json OUTPUT.csv TIMINGS.json
"""

import json
import sys
import time
import warnings

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoARIMA, AutoETS, AutoTheta, SeasonalNaive, Theta

warnings.filterwarnings("ignore")


def models_for(m):
    # statsforecast needs season_length >= 1; m = 1 means no season. AutoARIMA with a 52-week season
    # takes minutes per series and a daily one on 728 points tens of seconds, so it runs on monthly
    # series only (blank elsewhere).
    models = {
        "AutoETS": lambda: AutoETS(season_length=m),
        "AutoTheta": lambda: AutoTheta(season_length=m),
        "AutoARIMA": lambda: AutoARIMA(season_length=m),
        "SeasonalNaive": lambda: SeasonalNaive(season_length=m),
        "Theta": lambda: Theta(season_length=m),
    }
    if m != 12:
        del models["AutoARIMA"]
    return models


def main():
    inp, groups_path, out_path, timings_path = sys.argv[1:5]
    df = pd.read_csv(inp)
    with open(groups_path) as f:
        groups = json.load(f)
    meta = pd.DataFrame([{"unique_id": k, "m": v["m"], "k": v["k"]} for k, v in groups.items()])
    df = df.merge(meta, on="unique_id")

    # Warm-up on a tiny frame so one-time import/compile costs are not charged to the first group.
    warm = pd.DataFrame({"unique_id": ["w"] * 30, "ds": list(range(30)), "y": [float(i % 7 + 1) for i in range(30)]})
    for name, make in models_for(7).items():
        StatsForecast(models=[make()], freq=1, n_jobs=1).cross_validation(df=warm, h=1, n_windows=3, step_size=1, refit=False)

    seconds = {name: 0.0 for name in models_for(12)}
    parts = []
    for (m, k), g in df.groupby(["m", "k"]):
        frame = g[["unique_id", "ds", "y"]]
        merged = None
        for name, make in models_for(int(m)).items():
            t0 = time.perf_counter()
            cv = StatsForecast(models=[make()], freq=1, n_jobs=1).cross_validation(
                df=frame, h=1, n_windows=int(k), step_size=1, refit=False
            )
            seconds[name] += time.perf_counter() - t0
            cv = cv.reset_index() if "unique_id" not in cv.columns else cv
            cols = cv[["unique_id", "ds", name]]
            merged = cols if merged is None else merged.merge(cols, on=["unique_id", "ds"])
        for name in seconds:
            if name not in merged.columns:
                merged[name] = float("nan")
        parts.append(merged)
    pd.concat(parts).to_csv(out_path, index=False)
    import statsforecast

    with open(timings_path, "w") as f:
        json.dump({"version": statsforecast.__version__, "seconds": seconds, "n_jobs": 1}, f)


if __name__ == "__main__":
    main()
