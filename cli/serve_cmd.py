"""``schoolflow serve``: run the web UI.

It is served by waitress, a production WSGI server in pure Python (no compiler, runs on Windows too),
rather than Flask's development server, which is neither fast nor meant to face a network. Put a reverse
proxy with TLS in front of it when it is reached from outside the school's network. Several processes
against one PostgreSQL database can instead be run with any WSGI server, e.g.
``gunicorn 'webui:create_app()'``; they need one shared ``SECRET_KEY``.
"""
from __future__ import annotations

import click


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on; 0 takes any free port (the line printed says which).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Requests handled at once.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the web UI (the public tracking page is /track)."""
    # Imported here: the other commands need neither Flask nor waitress.
    import waitress

    from webui import create_app

    app = create_app()
    if ctx.find_root().params.get("db_url"):  # --db beats the instance configuration
        app.config["DATABASE_URL"] = ctx.obj.url
    server = waitress.create_server(app, host=host, port=port, threads=threads)
    # Said once the port is listening, so a script (or a test) that waits for this line can connect.
    click.echo(f"serving the web UI on http://{host}:{server.effective_port}/ (Ctrl+C stops it)")
    server.run()
