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


# Labels tox.ini leaves out while they would be empty (`tox -m` of an empty label runs env_list).
OPTIONAL_LABELS = ("releases-unmeasured",)


def label(name: str) -> list[str]:
    for line in tox_config()["tox"]["labels"].splitlines():
        key, _, value = line.partition("=")
        if key.strip() == name:
            envs = [env.strip() for env in value.split(",") if env.strip()]
            assert envs, f"tox.ini: label {name!r} is empty (tox -m would run env_list): leave it out"
            return envs
    if name in OPTIONAL_LABELS:
        return []
    raise AssertionError(f"no label {name!r} in tox.ini")


def test_the_main_job_runs_every_framework_of_the_registry_but_the_gpu_one():
    assert label("conformance")[-1] == "report"
    main_job = label("conformance")[:-1]
    assert sorted(main_job) == sorted(default_run_frameworks()) and len(set(main_job)) == len(main_job)
    assert set(frameworks()) - set(default_run_frameworks()) == {"torch-cuda"}
    # the compiler paths (torch.compile, tinygrad, IREE) are in it, and every CPU adapter asks for it
    assert {"torch_compile", "tinygrad", "iree"} <= set(main_job) and label_frameworks("conformance") == default_run_frameworks()


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
    assert set(label("conformance")[:-1]) | set(machines) == set(section[len("testenv:{"):-1].split(","))
    assert "reports/machines/{envname}" in set_env


# -- the releases label -----------------------------------------------------------------------
# The frameworks the sweep covers, each with the fewest older releases it must run (issue 14);
# the newest release of each is the main job's environment.
RELEASE_SERIES = {"onnxruntime": 4, "jax": 4, "keras-jax": 4, "keras-torch": 4, "openvino": 4, "paddle": 3, "tensorflow": 2}
# The package whose version each framework's release factor pins.
RELEASE_PACKAGE = {
    "onnxruntime": "onnxruntime",
    "jax": "jax",
    "keras-jax": "jax",
    "keras-torch": "keras",
    "openvino": "openvino",
    "paddle": "paddlepaddle",
    "tensorflow": "tensorflow-cpu",
}


def release_section() -> configparser.SectionProxy:
    config = tox_config()
    return config[next(name for name in config.sections() if name.startswith("testenv:{onnxruntime-r"))]


def measured_release_envs() -> list[str]:
    """The releases label's environments: each met the shared expectations when it was run here."""
    return [env for env in label("releases") if env != "report-releases"]


def unmeasured_release_envs() -> list[str]:
    """Release environments of the same table not yet run here (or that cannot run yet): the
    releases-unmeasured label, kept out of ``tox p -m releases`` until their expectations are measured."""
    return label("releases-unmeasured")


def release_envs() -> list[str]:
    return measured_release_envs() + unmeasured_release_envs()


def release_framework(env: str) -> str:
    framework, _, release = env.rpartition("-r")
    assert framework and re.fullmatch(r"\d+\.\d+", release), f"{env}: not <framework>-r<major>.<minor>"
    return framework


def factor_lines(text: str, key: str) -> dict[str, list[str]]:
    """env -> the values of the ``<envs>: <key-or-value>`` lines that name it (explicit env lists only)."""
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        condition, sep, value = line.strip().partition(": ")
        if sep and not condition.startswith("#") and key in value:
            for env in condition.split(","):
                found.setdefault(env.strip(), []).append(value.strip())
    return found


def test_the_releases_label_runs_older_releases_of_registry_frameworks_then_their_page():
    assert label("releases")[-1] == "report-releases"
    envs = release_envs()
    assert len(set(envs)) == len(envs) and not set(envs) & set(label("conformance"))
    assert "report-releases" not in unmeasured_release_envs()
    section = release_section()
    assert set(section.name[len("testenv:{"):-1].split(",")) == set(envs)
    framework_of = factor_lines(section["set_env"], "CONFORMANCE_FRAMEWORK = ")
    for env in envs:
        assert framework_of.get(env) == [f"CONFORMANCE_FRAMEWORK = {release_framework(env)}"], env
        assert release_framework(env) in default_run_frameworks()
    counts = {framework: sum(release_framework(env) == framework for env in envs) for framework in RELEASE_SERIES}
    assert all(counts[f] >= n for f, n in RELEASE_SERIES.items()), counts
    assert "CONFORMANCE_RESULTS = reports/releases/{envname}" in section["set_env"]
    report = tox_config()["testenv:report-releases"]
    assert sorted(env.strip() for env in report["depends"].split(",")) == sorted(envs)
    assert "reports/results reports/releases" in report["commands"]


def test_every_release_env_pins_its_framework_once_and_every_pin_has_a_comment():
    # configparser drops comment lines: the section's deps as written
    raw = TOX.read_text().split("[" + release_section().name + "]", 1)[1]
    deps = raw.split("\ndeps =\n", 1)[1].split("\nset_env =", 1)[0]
    lines = [line.strip() for line in deps.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if not line.startswith("#"):
            assert index and lines[index - 1].startswith("#"), f"tox.ini: no comment above the pin {line!r}"
            assert "==" in line or "<" in line, f"tox.ini: {line!r} is not a pin"
    pins = factor_lines(deps, "==")
    for env in release_envs():
        package = RELEASE_PACKAGE[release_framework(env)]
        versions = [value.split("==")[1] for value in pins.get(env, []) if value.split("==")[0] == package]
        assert len(versions) == 1, f"{env}: pins {package} {len(versions)} times"
        # the env's name is the pinned release's major.minor (or year.release for openvino)
        assert versions[0].startswith(env.rpartition("-r")[2] + "."), (env, versions[0])


def test_the_releases_of_one_framework_are_distinct_and_older_than_the_main_jobs_pin():
    from packaging.version import Version

    main_pins = factor_lines(next(tox_config()[name]["deps"] for name in tox_config().sections() if name.startswith("testenv:{torch,")), "==")
    pins = factor_lines(release_section()["deps"], "==")
    for framework, package in RELEASE_PACKAGE.items():
        main = {v.split("==")[1] for key, values in main_pins.items() if framework in key.split("-") or key == framework for v in values if v.split("==")[0] == package}
        assert len(main) == 1, (framework, main)
        releases = [v.split("==")[1] for env in release_envs() if release_framework(env) == framework for v in pins[env] if v.split("==")[0] == package]
        assert len(set(releases)) == len(releases) and all(Version(r) < Version(next(iter(main))) for r in releases), (framework, releases, main)


# -- the precision label (issue 16) -------------------------------------------------------------
def precision_section() -> configparser.SectionProxy:
    config = tox_config()
    return config[next(name for name in config.sections() if name.startswith("testenv:{torch-fpmathbf16"))]


def test_the_precision_label_runs_each_switch_on_the_precision_probes_then_its_page():
    from conformance.properties import KERNEL_ENV_VARS

    assert label("precision")[-1] == "report-precision"
    envs = label("precision")[:-1]
    assert envs and len(set(envs)) == len(envs)
    others = {env for name in ("conformance", "machines", "releases", "releases-unmeasured") for env in label(name)}
    assert not set(envs) & others
    section = precision_section()
    assert set(section.name[len("testenv:{"):-1].split(",")) == set(envs)
    set_env = section["set_env"]
    framework_of = factor_lines(set_env, "CONFORMANCE_FRAMEWORK = ")
    variables = {env: [value.partition(" = ")[0] for value in values] for env, values in factor_lines(set_env, " = ").items()}
    for env in envs:
        (framework,) = [value.rpartition(" = ")[2] for value in framework_of.get(env, [])]
        assert framework in default_run_frameworks() and env.startswith(framework + "-"), env
        # the switch is a variable the run records (run_info.env), so results say it was on
        switches = [name for name in variables.get(env, []) if name != "CONFORMANCE_FRAMEWORK"]
        assert switches and all(name in KERNEL_ENV_VARS for name in switches), (env, switches)
    assert "CONFORMANCE_RESULTS = reports/precision/{envname}" in set_env
    assert section["commands"].startswith("pytest cases/precision.yaml ")
    report = tox_config()["testenv:report-precision"]
    assert sorted(env.strip() for env in report["depends"].split(",")) == sorted(envs)
    assert "conformance report reports/precision " in report["commands"]


def test_the_precision_envs_pin_the_main_jobs_releases():
    main_pins = factor_lines(next(tox_config()[name]["deps"] for name in tox_config().sections() if name.startswith("testenv:{torch,")), "==")
    pins = factor_lines(precision_section()["deps"], "==")
    for env in label("precision")[:-1]:
        framework = env.rpartition("-")[0]
        assert pins.get(env), f"{env}: no pins"
        for pin in pins[env]:
            assert any(pin in values for key, values in main_pins.items() if framework in key.split(",")), (env, pin)
