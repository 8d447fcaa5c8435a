"""`nscl manage trace_partitions [--months N]`: create the event store's monthly partitions ahead
(PostgreSQL; run it monthly, e.g. from a systemd timer). Rows that landed in the default partition
for a new month are moved into it."""
from django.core.management.base import BaseCommand

from nscl.trace import partitions


class Command(BaseCommand):
    help = "Tạo trước các phân vùng theo tháng của kho sự kiện EPCIS (PostgreSQL)"

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=3, help="số tháng tạo trước, ngoài tháng hiện tại")

    def handle(self, *args, **options):
        if not partitions.is_partitioned():
            self.stdout.write("Cơ sở dữ liệu này không phân vùng (SQLite hoặc chưa migrate): không cần làm gì.")
            return
        created = partitions.ensure(options["months"])
        for name, moved in created:
            self.stdout.write(f"Đã tạo {name}" + (f" (chuyển {moved} sự kiện từ phân vùng mặc định)" if moved else ""))
        if not created:
            self.stdout.write("Các phân vùng đã có sẵn.")
        self.stdout.write("Phân vùng hiện có: " + ", ".join(partitions.existing()))
