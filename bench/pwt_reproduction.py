"""Time the whole PWT 10.01 rtfpna reproduction (all countries, all years) in-process.

    .venv/bin/python bench/pwt_reproduction.py [--repeat 20]
Goal (issue 3): under 1 second. Loading the CSV is timed separately from the computation.
"""
import argparse
import statistics
import time

from nscl.productivity.pwt import load_pwt, reproduce_rtfpna, reproduction_errors


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    t = time.perf_counter()
    pwt = load_pwt()
    load = time.perf_counter() - t
    times = []
    for _ in range(args.repeat):
        t = time.perf_counter()
        rows = reproduce_rtfpna(pwt)
        times.append(time.perf_counter() - t)
    stats = reproduction_errors(rows)
    print("| step | rows | countries compared | median s | max s | median abs error | max abs error |")
    print("|---|---|---|---|---|---|---|")
    print(f"| load pwt1001.csv | {len(pwt)} | | {load:.3f} | {load:.3f} | | |")
    print(f"| reproduce rtfpna (x{args.repeat}) | {len(rows)} | {stats['compared']} rows / {stats['countries']} | "
          f"{statistics.median(times):.4f} | {max(times):.4f} | {stats['median_abs_error']:.5f} | {stats['max_abs_error']:.5f} |")
    print(f"| load + reproduce | | | {load + statistics.median(times):.3f} | | | |")


if __name__ == "__main__":
    main()
