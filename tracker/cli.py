"""Command-line tasks: `flask --app app create-user ...`, `flask --app app seed-demo`."""
import click
from flask import Flask

from .workflow import Role


def register(app: Flask) -> None:
    register_mail_commands(app)
    register_backup_commands(app)

    @app.cli.command("create-user")
    @click.argument("email")
    @click.option("--name", required=True, help="Full name as colleagues see it.")
    @click.option("--role", type=click.Choice([r.value for r in Role]), default=Role.EMPLOYEE.value,
                  show_default=True)
    @click.option("--team", "team_name", help="Team name; created when it does not exist. Leaders lead it.")
    @click.password_option(help="Asked for when not given.")
    def create_user_command(email, name, role, team_name, password):
        """Create an account."""
        from . import services
        from .errors import DomainError

        try:
            user = services.create_user(email, name, password, role, team_name)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from error
        click.echo(f"Created {user.email} ({user.role}).")

    @app.cli.command("set-password")
    @click.argument("email")
    @click.password_option(help="Asked for when not given.")
    def set_password_command(email, password):
        """Set a new password for an account (for when no email can carry a link); its sessions end."""
        from . import services
        from .errors import DomainError

        try:
            user = services.set_password_of(email, password)
        except DomainError as error:
            raise click.ClickException(str(error.message)) from error
        click.echo(f"New password set for {user.email}; the account's sessions have ended."
                   + ("" if user.active else " The account is deactivated: an admin reactivates it on the "
                                             "People page."))

    @app.cli.command("seed-demo")
    @click.option("--if-empty", is_flag=True, help="Do nothing when the database already has users.")
    def seed_demo_command(if_empty):
        """Fill the database with the demo company (password for every demo login: nebenan-demo)."""
        from . import demo

        if if_empty and demo.has_users():
            click.echo("The database already has users; the demo company is not added.")
            return
        counts = demo.seed()
        click.echo("Demo company created: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".")


def register_mail_commands(app: Flask) -> None:
    @app.cli.command("send-digests")
    def send_digests_command():
        """Email the daily digest to everyone who chose it (run once a day from cron)."""
        from . import notifications

        click.echo(f"Digests sent: {notifications.send_digests()}.")

    @app.cli.command("send-pending")
    def send_pending_command():
        """Retry notification emails that failed (run every few minutes from cron)."""
        from . import notifications

        sent, failed = notifications.send_pending()
        click.echo(f"Emails sent: {sent}; still failing: {failed}.")


def register_backup_commands(app: Flask) -> None:
    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, writable=True))
    def backup_command(path):
        """Copy the SQLite database to PATH, safely while the app runs (SQLite's online backup).
        For PostgreSQL use pg_dump (see the README)."""
        from . import maintenance

        pages = maintenance.backup_sqlite(path)
        click.echo(f"Backed up {pages} pages to {path}.")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False))
    @click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
    def restore_command(path, yes):
        """Replace the SQLite database with the backup at PATH. For PostgreSQL use pg_restore."""
        from . import maintenance

        if not yes:
            click.confirm("This replaces everything in the database with the backup. Continue?", abort=True)
        maintenance.restore_sqlite(path)
        click.echo(f"Restored the database from {path}.")
