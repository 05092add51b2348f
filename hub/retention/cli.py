import click
from flask.cli import AppGroup

from hub.db import unit_of_work
from hub.errors import HubError
from hub.identity.actors import operator
from hub.retention.purge import BATCH, preview, run_purge

retention = AppGroup("retention", help="Retention: destroying reads on time.")


@retention.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be destroyed and held; destroy nothing.")
@click.option("--batch", type=click.IntRange(1, 100000), default=BATCH, show_default=True,
              help="Reads destroyed per transaction.")
def purge_command(dry_run: bool, batch: int):
    """Destroy every read past its camera's retention limit that no hold keeps."""
    try:
        if dry_run:
            with unit_of_work():
                report = preview(operator())
            click.echo(f"would destroy {report.reads_destroyed} read(s); {report.reads_held} held")
            return
        with click.progressbar(length=max(1, preview_count()), label="destroying reads", show_pos=True,
                               file=click.get_text_stream("stderr")) as bar:
            done = [0]

            def progress(total: int) -> None:
                bar.update(total - done[0])
                done[0] = total
            report = run_purge(operator(), progress=progress, batch=batch)
    except HubError as error:
        raise click.ClickException(error.message)
    click.echo(f"purge run {report.run_id}: {report.reads_destroyed} read(s) destroyed, {report.reads_held} held, "
               f"{report.alerts} alert(s), {report.images} image(s), {len(report.partitions)} partition(s) dropped, "
               f"{report.private_details} ledger private detail(s) erased, {report.keys_destroyed} data key(s) destroyed")


def preview_count() -> int:
    with unit_of_work():
        return preview(operator()).reads_destroyed
