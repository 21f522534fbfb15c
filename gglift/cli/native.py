"""``gglift native``: what a C build needs to use gglift's Greengrass Core SDK for C runtime."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

import click

from gglift.cli.grammar import common_options
LINK_NAME = "aws-greengrass-core-sdk-c"  # -l name of libaws-greengrass-core-sdk-c.so


def _paths():
    from gglift.native import RuntimeNotBuilt, include_dir, library_dir

    try:
        return include_dir(), library_dir()
    except RuntimeNotBuilt as exc:
        raise click.ClickException(str(exc)) from exc


def cflags() -> list[str]:
    """Compiler flags: where greengrasssdk.h is."""
    return [f"-I{_paths()[0]}"]


def libs() -> list[str]:
    """Linker flags: the runtime library and the threads it uses."""
    return [f"-L{_paths()[1]}", f"-l{LINK_NAME}", "-lpthread"]


@click.group(invoke_without_command=True)
@common_options
@click.option("--cflags", "want_cflags", is_flag=True, help="Print the compiler flags (-I...).")
@click.option("--libs", "want_libs", is_flag=True, help="Print the linker flags (-L... -l...).")
@click.option("--lib-dir", "want_lib_dir", is_flag=True, help="Print the folder of libaws-greengrass-core-sdk-c.so.")
@click.option("--prefix", "want_prefix", is_flag=True,
              help="Print the install prefix (for CMake: -DCMAKE_PREFIX_PATH=... then find_package(aws-greengrass-core-sdk-c)).")
@click.pass_context
def native(ctx: click.Context, want_cflags: bool, want_libs: bool, want_lib_dir: bool, want_prefix: bool) -> None:
    """Build C Lambda executables against gglift's Greengrass Core SDK for C runtime.

    \b
    Examples:
      cc handler.c -o handler $(gglift native --cflags --libs)
      LD_LIBRARY_PATH=$(gglift native --lib-dir) ./handler
      gglift native build handler.c -o handler
      cmake -S . -B build -DCMAKE_PREFIX_PATH=$(gglift native --prefix)
    """
    if ctx.invoked_subcommand is not None:
        return
    if not (want_cflags or want_libs or want_lib_dir or want_prefix):
        click.echo(ctx.get_help())
        ctx.exit(2)
    words: list[str] = []
    if want_cflags:
        words += cflags()
    if want_libs:
        words += libs()
    if want_lib_dir:
        words.append(str(_paths()[1]))
    if want_prefix:  # the library's folder is <prefix>/lib, as in an installed tree
        words.append(str(_paths()[1].parent))
    click.echo(" ".join(shlex.quote(w) for w in words))


@native.command("build")
@common_options
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="The executable to write.")
@click.option("--cc", default=lambda: os.environ.get("CC", "cc"), show_default="$CC or cc", help="The C compiler.")
@click.option("--cflag", "extra", multiple=True, help="An extra compiler flag (repeatable), e.g. --cflag=-O2.")
def build(sources: tuple[str, ...], output: str, cc: str, extra: tuple[str, ...]) -> None:
    """Compile and link a C Lambda handler with the system compiler.

    \b
    Example:
      gglift native build handler.c -o handler
      gglift native build main.c util.c -o handler --cc clang --cflag=-O2 --cflag=-Wall
    """
    compiler = shlex.split(cc)
    if not compiler or shutil.which(compiler[0]) is None:
        raise click.UsageError(f"C compiler not found: {cc!r} (install gcc or pass --cc)")
    command = [*compiler, *cflags(), *extra, *sources, "-o", output, *libs()]
    click.echo(" ".join(shlex.quote(w) for w in command), err=True)
    if subprocess.run(command).returncode != 0:
        click.echo(f"gglift native build: the compiler failed; {output} was not written", err=True)
        sys.exit(1)
