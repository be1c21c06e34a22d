from copytrace.cli import app

app(prog_name="copytrace")
