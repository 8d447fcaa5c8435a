"""Firm TFP speed and memory on simulated panels of 10,000, 100,000 and 1,000,000 firm-years.

Each panel is simulated once and written to a Parquet file (20 industries, a random one per firm);
each case runs in its own process, reads the file (only the columns it needs) and estimates, so its
peak memory is its own: the peak resident size of the main process, of the largest worker process,
and the bound main + jobs x worker for the whole case.

Tables:
1. point estimates (reading the Parquet file included) and bootstrap fits, as before;
2. the cost of one bootstrap draw (mean of a few, in one process, one BLAS thread as in a worker)
   as a ratio to the point estimate: that of table 1 (a fresh process, reading excluded, as the
   issue measured it) and a second one in the same, warm process (stricter); with CPU seconds,
   which a loaded machine disturbs less than wall time;
3. ``--by``: the estimate for each of the 20 industries (parallel processes over the groups) against
   one estimate on all rows, both reading the file.

Goals (issue 14, 2-core machine): 1M rows, 100 draws, 2 processes: LP and ACF each at most 60 s;
one draw at most a quarter of a point estimate; point estimates on 1M rows including reading the
Parquet file: LP at most 2 s, ACF at most 3 s, peak at most 1 GB (also per worker); by industry
(20) at most 1.5 x one estimate on all rows. The machine's load average is printed before and after.

    .venv/bin/python bench/firm_tfp.py [--rows 10000,100000,1000000] [--jobs 2] [--reps 100] [--by-rows 1000000]
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time

ROLES = dict(id="firm", time="year", output="y", free="l", state="k")
INDUSTRIES = 20
DRAWS_TIMED = 5


def panel_file(rows, folder):
    """The simulated panel of `rows` firm-years as Parquet (made once per size)."""
    import numpy as np

    from nscl.productivity.simulate import simulate_panel

    path = os.path.join(folder, f"panel-{rows}.parquet")
    if not os.path.exists(path):
        data = simulate_panel(firms=rows // 10, years=10, seed=1)
        industry = np.random.default_rng(2).integers(10, 10 + INDUSTRIES, rows // 10)
        data["industry"] = industry[data["firm"].to_numpy()]
        data.to_parquet(path)
    return path


def _peaks(jobs):
    main = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"main_mb": main, "worker_mb": worker, "total_mb": main + (jobs if worker else 0) * worker}


def _cpu():
    me, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def run_case(path, method, reps, jobs):
    import numpy as np

    from nscl.productivity import methods
    from nscl.productivity.firm import draw_estimates, estimate, read_panel

    proxy = {"investment": "inv", "materials": "m", None: None}[methods.firm_method(method).proxy]
    t0, c0 = time.perf_counter(), _cpu()
    data = read_panel(path, proxy=proxy, **ROLES)
    t1 = time.perf_counter()
    model = estimate(data, method, proxy=proxy, **ROLES)
    res = model.fit(bootstrap=reps, seed=1, jobs=jobs)
    t2, c2 = time.perf_counter(), _cpu()
    out = {"rows": len(data), "method": method, "reps": reps, "seconds": t2 - t0, "read": t1 - t0, "cpu": c2 - c0,
           "params": [round(float(v), 4) for v in res.params.to_numpy()], "failed": res.bootstrap["failed"],
           **_peaks(jobs)}
    if reps:   # one process: a point estimate, then a few draws timed alone (one BLAS thread, as in a worker)
        from threadpoolctl import threadpool_limits

        t3, c3 = time.perf_counter(), time.process_time()
        point = model.fit()
        t4, c4 = time.perf_counter(), time.process_time()
        with threadpool_limits(1):
            model.prepare_draws()
            seeds = np.random.SeedSequence(2).spawn(DRAWS_TIMED)
            t5, c5 = time.perf_counter(), time.process_time()
            draw_estimates(model, point.params.to_numpy(), seeds)
            t6, c6 = time.perf_counter(), time.process_time()
        out.update(point_s=t4 - t3, point_cpu=c4 - c3, draw_s=(t6 - t5) / DRAWS_TIMED,
                   draw_cpu=(c6 - c5) / DRAWS_TIMED)
    print(json.dumps(out))


def run_by(path, method, jobs):
    from nscl.productivity import methods
    from nscl.productivity.firm import fit_by_group, read_panel

    proxy = {"investment": "inv", "materials": "m", None: None}[methods.firm_method(method).proxy]
    t0, c0 = time.perf_counter(), _cpu()
    data = read_panel(path, by="industry", proxy=proxy, **ROLES)
    res = fit_by_group(data, method, "industry", jobs=jobs, proxy=proxy, **ROLES)
    t1, c1 = time.perf_counter(), _cpu()
    print(json.dumps({"rows": len(data), "method": method, "groups": len(res.groups), "skipped": len(res.skipped),
                      "seconds": t1 - t0, "cpu": c1 - c0, **_peaks(jobs)}))


def _case(args, *case):
    out = subprocess.run([sys.executable, __file__, *case, "--jobs", str(args.jobs)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": (out.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="10000,100000,1000000")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--by-rows", type=int, default=1_000_000, help="panel size of the --by table (0: none)")
    ap.add_argument("--folder", help="where the simulated Parquet files are kept (default: a temporary folder)")
    ap.add_argument("--case", nargs=3)
    ap.add_argument("--by-case", nargs=2)
    args = ap.parse_args()
    if args.case:
        run_case(args.case[0], args.case[1], int(args.case[2]), args.jobs)
        return
    if args.by_case:
        run_by(args.by_case[0], args.by_case[1], args.jobs)
        return
    folder = args.folder or tempfile.mkdtemp(prefix="nscl-bench-")
    print("load average (1, 5, 15 min) at start: %.2f %.2f %.2f" % os.getloadavg(), flush=True)
    sizes = [int(r) for r in args.rows.split(",")]
    paths = {rows: panel_file(rows, folder) for rows in sorted(set(sizes + ([args.by_rows] if args.by_rows else [])))}
    results = []
    print("\n| rows | estimator | bootstrap reps | jobs | seconds (reading Parquet included) | of which reading | "
          "CPU s (all processes) | peak MB main | peak MB per worker | peak MB bound (main + jobs x worker) | "
          "estimates (true 0.6, 0.4) | failed draws |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for rows in sizes:
        for method, reps in (("lp", 0), ("acf", 0), ("lp", args.reps), ("acf", args.reps)):
            r = _case(args, "--case", paths[rows], method, str(reps))
            if "error" in r:
                print(f"| {rows:,} | {method} | {reps} | {args.jobs} | failed: {r['error']} | | | | | | | |")
                continue
            results.append(r)
            print(f"| {r['rows']:,} | {method} | {reps} | {args.jobs if reps else 1} | {r['seconds']:.2f} | "
                  f"{r['read']:.2f} | {r['cpu']:.1f} | {r['main_mb']:.0f} | {r['worker_mb']:.0f} | {r['total_mb']:.0f} | "
                  f"{r['params']} | {r['failed']} |", flush=True)
    print("\n| rows | estimator | one draw s | point estimate s (table 1, reading excluded) | draw ÷ point | "
          "point estimate s (again, same process) | draw ÷ that | one draw CPU s | point again CPU s | CPU ratio |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    first = {(r["rows"], r["method"]): r["seconds"] - r["read"] for r in results if not r["reps"]}
    for r in results:
        if r["reps"]:
            p1 = first.get((r["rows"], r["method"]), float("nan"))
            print(f"| {r['rows']:,} | {r['method']} | {r['draw_s']:.3f} | {p1:.3f} | {r['draw_s'] / p1:.2f} | "
                  f"{r['point_s']:.3f} | {r['draw_s'] / r['point_s']:.2f} | {r['draw_cpu']:.3f} | "
                  f"{r['point_cpu']:.3f} | {r['draw_cpu'] / r['point_cpu']:.2f} |")
    if args.by_rows:
        print("\n| rows | estimator | industries estimated (skipped) | jobs | by industry s | one estimate on all rows s "
              "| ratio | by industry CPU s | peak MB main | peak MB per worker |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for method in ("lp", "acf"):
            one = _case(args, "--case", paths[args.by_rows], method, "0")
            by = _case(args, "--by-case", paths[args.by_rows], method)
            if "error" in by or "error" in one:
                print(f"| {args.by_rows:,} | {method} | failed: {by.get('error') or one.get('error')} | | | | | | | |")
                continue
            print(f"| {by['rows']:,} | {method} | {by['groups']} ({by['skipped']}) | {args.jobs} | {by['seconds']:.2f} | "
                  f"{one['seconds']:.2f} | {by['seconds'] / one['seconds']:.2f} | {by['cpu']:.1f} | {by['main_mb']:.0f} | "
                  f"{by['worker_mb']:.0f} |", flush=True)
    print("\nload average (1, 5, 15 min) at end: %.2f %.2f %.2f" % os.getloadavg())


if __name__ == "__main__":
    main()
