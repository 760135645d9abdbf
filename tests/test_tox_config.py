"""tox.ini and the adapter registry name the same frameworks (tox cannot import the registry)."""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from conformance.adapters import default_run_frameworks, frameworks, label_frameworks

TOX = Path(__file__).resolve().parents[1] / "tox.ini"


def tox_config() -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(TOX)
    return parser


def label(name: str) -> list[str]:
    for line in tox_config()["tox"]["labels"].splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            return [env.strip() for env in value.split(",") if env.strip()]
    raise AssertionError(f"no label {name!r} in tox.ini")


def test_the_main_job_runs_every_framework_of_the_registry_but_the_gpu_and_compiler_ones():
    assert label("conformance")[-1] == "report"
    main_job = label("conformance")[:-1]
    assert sorted(main_job) == sorted(default_run_frameworks()) and len(set(main_job)) == len(main_job)
    assert set(frameworks()) - set(default_run_frameworks()) == {"torch-cuda", *label_frameworks("compilers")}


def test_the_compilers_label_runs_the_adapters_that_ask_for_it_and_their_report():
    assert label("compilers")[-1] == "report-compilers"
    assert sorted(label("compilers")[:-1]) == sorted(label_frameworks("compilers")) != []
    assert not set(label("compilers")) & set(label("conformance"))


def test_every_simulated_machine_runs_a_framework_of_the_registry_into_its_own_folder():
    config = tox_config()
    set_env = config["testenv"]["set_env"]
    machines = [env for env in label("machines") if env != "report-machines"]
    assert machines
    for env in machines:
        framework = re.search(rf"^\s*(?:[\w,-]*,)?{re.escape(env)}(?:,[\w,-]*)?: CONFORMANCE_FRAMEWORK = (\S+)", set_env, re.M)
        assert framework, f"tox.ini sets no CONFORMANCE_FRAMEWORK for {env}"
        assert framework.group(1) in default_run_frameworks()
        assert env.startswith(framework.group(1) + "-")
    section = next(name for name in config.sections() if name.startswith("testenv:{torch,"))
    assert set(label("conformance")[:-1]) | set(label("compilers")[:-1]) | set(machines) == set(section[len("testenv:{"):-1].split(","))
    assert "reports/machines/{envname}" in set_env
