"""Firm TFP speed and memory on simulated panels of 10,000, 100,000 and 1,000,000 firm-years.

Each case runs in its own process so its peak memory is its own: the peak resident size of the main
process, of the largest bootstrap worker, and the bound main + jobs x worker for the whole case. Goals (issue 4, 2-core machine): LP and ACF point estimates on 1,000,000 rows in
at most 10 s each; 100 bootstrap replications on 1,000,000 rows in at most 5 minutes; peak memory at
most 4 GB.

    .venv/bin/python bench/firm_tfp.py [--rows 10000,100000,1000000] [--jobs 2] [--reps 100]
"""
import argparse
import json
import resource
import subprocess
import sys
import time


def run_case(rows, method, reps, jobs):
    from nscl.productivity import registry
    from nscl.productivity.firm import estimate
    from nscl.productivity.simulate import simulate_panel

    data = simulate_panel(firms=rows // 10, years=10, seed=1)
    proxy = {"investment": "inv", "materials": "m", None: None}[registry.firm_method(method).proxy]
    t0 = time.perf_counter()
    model = estimate(data, method, id="firm", time="year", output="y", free="l", state="k", proxy=proxy)
    res = model.fit(bootstrap=reps, seed=1, jobs=jobs)
    seconds = time.perf_counter() - t0
    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 if reps and jobs > 1 else 0
    print(json.dumps({"rows": len(data), "method": method, "reps": reps, "seconds": seconds, "main_mb": main,
                      "worker_mb": worker, "total_mb": main + (jobs if worker else 0) * worker,
                      "params": [round(float(v), 4) for v in res.params.to_numpy()], "failed": res.bootstrap["failed"]}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000,100000,1000000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--case", nargs=3)
    args = ap.parse_args()
    if args.case:
        run_case(int(args.case[0]), args.case[1], int(args.case[2]), args.jobs)
        return
    cases = []
    for rows in map(int, args.rows.split(",")):
        cases += [(rows, "lp", 0), (rows, "acf", 0), (rows, "lp", args.reps), (rows, "acf", args.reps)]
    print("| rows | estimator | bootstrap reps | jobs | seconds | peak MB main | peak MB per worker | "
          "peak MB bound (main + jobs x worker) | estimates (true 0.6, 0.4) | failed draws |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for rows, method, reps in cases:
        out = subprocess.run([sys.executable, __file__, "--case", str(rows), method, str(reps), "--jobs", str(args.jobs)],
                             capture_output=True, text=True)
        if out.returncode != 0:
            print(f"| {rows} | {method} | {reps} | {args.jobs} | failed: {out.stderr.strip().splitlines()[-1]} | | | | | |")
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"| {r['rows']:,} | {r['method']} | {r['reps']} | {args.jobs if reps else 1} | {r['seconds']:.1f} | "
              f"{r['main_mb']:.0f} | {r['worker_mb']:.0f} | {r['total_mb']:.0f} | {r['params']} | {r['failed']} |", flush=True)


if __name__ == "__main__":
    main()
