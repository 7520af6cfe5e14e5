#!/usr/bin/python3
"""Lints signet's Dockerfile for what a reviewer (or hadolint, which Debian does not package) would check:
a multi-stage build whose build stage compiles signet, a runtime stage with no shell and nothing to run one
(no RUN after the last FROM, no shell binary copied, exec-form ENTRYPOINT), a numeric non-root USER
65532, base images pinned by name (never `latest`, never a bare floating tag), apt lists cleaned in the
layer that fills them, build packages a subset of scripts/install-deps, and a .dockerignore that keeps
build trees and node_modules out of the context. The linter is checked against broken Dockerfiles too.

With SIGNET_IMAGE_TEST=1 it also builds the image with podman (or buildah) and inspects it: that needs a
container runtime and the base images, so `make test` never depends on it.

usage: dockerfile_lint.py [SOURCE_DIR] [unittest options]
"""
import json, os, re, shlex, shutil, subprocess, sys, unittest

SOURCE = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SHELLS = ("/bin/sh", "/bin/bash", "/bin/dash", "/usr/bin/sh", "/usr/bin/bash", "busybox", "/bin/", "/usr/bin/apt",
          "/usr/bin/dpkg")
# A tag that names a release (a version number), not one that moves with every release.
PINNED_TAG = re.compile(r"^[\w.-]*\d+\.\d+[\w.-]*$")


def read(path):
    with open(path) as f:
        return f.read()


def instructions(text):
    """(instruction, arguments) pairs, continuation lines joined, comments dropped."""
    result, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        word, _, rest = line.partition(" ")
        result.append((word.upper(), rest.strip()))
    if pending:
        word, _, rest = pending.partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def substitute(text, args):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), m.group(0)), text)


def install_deps_packages(source):
    text = read(os.path.join(source, "scripts", "install-deps"))
    # Every list it installs from: `packages` always, `npm_packages` when there is no npm yet.
    return {p for block in re.findall(r'packages="(.*?)"', text, re.S) for p in block.split()}


def lint(dockerfile_text, source=SOURCE, dockerignore_text=None):
    """Every problem found, as sentences; [] when the Dockerfile is fine."""
    problems = []
    steps = instructions(dockerfile_text)
    global_args, stages = {}, []
    for word, rest in steps:
        if word == "ARG" and not stages:
            name, _, default = rest.partition("=")
            global_args[name.strip()] = default.strip().strip('"')
        elif word == "FROM":
            parts = rest.split()
            image = substitute(next(p for p in parts if not p.startswith("--")), global_args)
            name = parts[parts.index("AS") + 1] if "AS" in parts else (parts[parts.index("as") + 1] if "as" in parts else None)
            stages.append({"image": image, "name": name, "steps": []})
        elif stages:
            stages[-1]["steps"].append((word, rest))
        elif word not in ("ARG",):
            problems.append(f"{word} before the first FROM")

    if len(stages) < 2:
        problems.append("not a multi-stage build: the build tools must stay out of the runtime image")
        return problems
    names = {s["name"] for s in stages if s["name"]}

    for stage in stages:
        image = stage["image"]
        if image == "scratch" or image in names:
            continue
        if "@sha256:" in image:
            continue
        repository, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
        if not tag:
            problems.append(f"base image {image} has no tag: it means latest")
        elif tag == "latest":
            problems.append(f"base image {image} uses the latest tag")
        elif not PINNED_TAG.match(tag):
            problems.append(f"base image {image} is not pinned to a release (tag {tag} moves)")
        if "/" not in repository or "." not in repository.split("/")[0]:
            problems.append(f"base image {image} is not named with its registry (docker.io/library/...)")
    if not any(re.search(r"debian:(12\.|bookworm)", s["image"]) for s in stages):
        problems.append("no stage is built from Debian bookworm (debian:12.x or debian:bookworm-…)")

    # The binary is compiled in a build stage.
    build_runs = [rest for s in stages[:-1] for word, rest in s["steps"] if word == "RUN"]
    if not any("cmake --build" in run and re.search(r"--target\s+signet\b", run) for run in build_runs):
        problems.append("no build stage runs `cmake --build … --target signet`")

    # apt: recommends off, lists cleaned in the same layer; the packages are a subset of install-deps.
    known = install_deps_packages(source)
    for stage in stages:
        for word, rest in stage["steps"]:
            if word != "RUN" or "apt-get install" not in rest:
                continue
            if "--no-install-recommends" not in rest:
                problems.append("apt-get install without --no-install-recommends")
            if "rm -rf /var/lib/apt/lists/*" not in rest:
                problems.append("apt-get install in a layer that does not remove /var/lib/apt/lists/*")
            install = rest.split("apt-get install", 1)[1].split("&&", 1)[0]
            for package in install.replace("\\", " ").split():
                if not package.startswith("-") and package not in known:
                    problems.append(f"apt package {package} is not in scripts/install-deps")

    # The runtime stage: nothing that runs or brings a shell, a numeric non-root user, exec-form entrypoint.
    final = stages[-1]
    if final["image"] not in ("scratch",) and "distroless" not in final["image"]:
        problems.append(f"the runtime stage starts from {final['image']}, not scratch or distroless")
    users = []
    for word, rest in final["steps"]:
        if word == "RUN":
            problems.append("RUN after the last FROM: the runtime stage has no shell to run it")
        if word in ("COPY", "ADD"):
            sources = [p for p in shlex.split(rest) if not p.startswith("--")][:-1]
            for source_path in sources:
                if any(shell in source_path for shell in SHELLS):
                    problems.append(f"the runtime stage copies {source_path}, a shell or package tool")
            if word == "ADD":
                problems.append("ADD in the runtime stage: use COPY --from a build stage")
        if word == "USER":
            users.append(rest)
        if word in ("ENTRYPOINT", "CMD") and not rest.startswith("["):
            problems.append(f"{word} in shell form needs /bin/sh; use the exec (JSON) form")
        if word == "ENTRYPOINT" and rest.startswith("[") and json.loads(rest)[0] != "/usr/local/bin/signet":
            problems.append("the ENTRYPOINT is not /usr/local/bin/signet")
    if not users:
        problems.append("the runtime stage sets no USER: it would run as root")
    elif not re.fullmatch(r"65532(:65532)?", users[-1]):
        problems.append(f"the runtime stage runs as {users[-1]}, not the numeric non-root 65532")
    if not any(word == "ENTRYPOINT" for word, _ in final["steps"]):
        problems.append("the runtime stage has no ENTRYPOINT")

    # The runtime tree holds what ldd lists, assembled in a build stage.
    if not any("ldd" in run for run in build_runs):
        problems.append("no build stage collects the shared libraries with ldd")

    if dockerignore_text is None:
        path = os.path.join(source, ".dockerignore")
        dockerignore_text = read(path) if os.path.exists(path) else ""
    ignored = [line.strip() for line in dockerignore_text.splitlines() if line.strip() and not line.startswith("#")]
    for needed in (".git", "build", "node_modules"):
        if not any(needed in pattern for pattern in ignored):
            problems.append(f".dockerignore does not keep {needed} out of the build context")
    return problems


class DockerfileLint(unittest.TestCase):
    def setUp(self):
        self.text = read(os.path.join(SOURCE, "Dockerfile"))

    def broken(self, old, new):
        self.assertIn(old, self.text, "the test's edit no longer applies to the Dockerfile")
        return lint(self.text.replace(old, new, 1))

    def test_signets_dockerfile_passes(self):
        self.assertEqual(lint(self.text), [])

    def test_the_runtime_stage_runs_as_numeric_65532(self):
        final = self.text[self.text.rindex("\nFROM "):]
        self.assertRegex(final, r"\nUSER 65532(:65532)?\n")

    def test_a_run_in_the_runtime_stage_is_refused(self):
        problems = self.broken("COPY --from=build /rootfs/ /", "COPY --from=build /rootfs/ /\nRUN ls")
        self.assertTrue(any("RUN after the last FROM" in p for p in problems), problems)

    def test_copying_a_shell_is_refused(self):
        problems = self.broken("COPY --from=build /rootfs/ /", "COPY --from=build /rootfs/ /\nCOPY --from=build /bin/sh /bin/sh")
        self.assertTrue(any("/bin/sh" in p for p in problems), problems)

    def test_a_root_or_named_user_is_refused(self):
        for user in ("root", "nonroot", "0"):
            problems = self.broken("USER 65532:65532", "USER " + user)
            self.assertTrue(any("not the numeric non-root 65532" in p for p in problems), (user, problems))
        problems = self.broken("USER 65532:65532\n", "")
        self.assertTrue(any("sets no USER" in p for p in problems), problems)

    def test_latest_and_floating_tags_are_refused(self):
        problems = self.broken("debian:12.11-slim", "debian:latest")
        self.assertTrue(any("latest" in p for p in problems), problems)
        problems = self.broken("debian:12.11-slim", "debian:bookworm-slim")
        self.assertTrue(any("not pinned" in p for p in problems), problems)
        problems = self.broken("docker.io/library/debian:12.11-slim", "debian")
        self.assertTrue(any("no tag" in p for p in problems), problems)

    def test_apt_lists_left_behind_are_refused(self):
        problems = self.broken(" \\\n && rm -rf /var/lib/apt/lists/*", "")
        self.assertTrue(any("/var/lib/apt/lists" in p for p in problems), problems)

    def test_a_package_outside_install_deps_is_refused(self):
        problems = self.broken("zlib1g-dev \\", "zlib1g-dev vim \\")
        self.assertTrue(any("vim" in p for p in problems), problems)

    def test_a_shell_form_entrypoint_is_refused(self):
        problems = self.broken('ENTRYPOINT ["/usr/local/bin/signet"]', "ENTRYPOINT /usr/local/bin/signet")
        self.assertTrue(any("shell form" in p for p in problems), problems)

    def test_a_single_stage_build_is_refused(self):
        self.assertTrue(any("multi-stage" in p for p in lint("FROM docker.io/library/debian:12.11\nRUN true\n")))

    def test_building_signet_in_the_runtime_stage_is_refused(self):
        problems = self.broken("--target signet", "--target signet_server")
        self.assertTrue(any("--target signet" in p for p in problems), problems)

    def test_a_context_with_build_trees_is_refused(self):
        problems = lint(self.text, dockerignore_text=".git\n")
        self.assertTrue(any("build" in p for p in problems), problems)
        self.assertTrue(any("node_modules" in p for p in problems), problems)


def container_tool():
    for tool in ("podman", "buildah"):
        if shutil.which(tool):
            return tool
    return None


@unittest.skipUnless(os.environ.get("SIGNET_IMAGE_TEST") == "1", "set SIGNET_IMAGE_TEST=1 to build the image")
class ImageBuild(unittest.TestCase):
    """Builds the image and checks what it holds and how it runs. Extra build arguments (base images from a
    mirror, say) come from SIGNET_IMAGE_BUILD_ARGS, e.g. "DEBIAN_IMAGE=localhost/debian:bookworm"; the build
    command from SIGNET_IMAGE_BUILD (default `podman build`, e.g. "buildah bud --isolation chroot")."""
    tag = "localhost/signet:image-test"

    @classmethod
    def setUpClass(cls):
        tool = container_tool()
        if not tool:
            raise unittest.SkipTest("neither podman nor buildah is installed")
        cls.tool = tool
        args = []
        for pair in os.environ.get("SIGNET_IMAGE_BUILD_ARGS", "").split():
            args += ["--build-arg", pair]
        build = os.environ.get("SIGNET_IMAGE_BUILD", "").split() or ([tool, "build"] if tool == "podman" else [tool, "bud"])
        cls.tool = "buildah" if build[0] == "buildah" else tool
        subprocess.run(build + args + ["-t", cls.tag, SOURCE], check=True)

    def inspect(self):
        out = subprocess.run(["podman" if self.tool == "podman" else "buildah", "inspect", self.tag],
                             check=True, capture_output=True, text=True).stdout
        data = json.loads(out)
        return data[0] if isinstance(data, list) else data

    def test_the_image_runs_as_65532(self):
        info = self.inspect()
        config = info.get("Config") or info.get("OCIv1", {}).get("config", {})
        self.assertEqual(config.get("User"), "65532:65532")

    @unittest.skipUnless(shutil.which("podman"), "running the image needs podman")
    def test_signet_runs_on_a_read_only_root_with_no_shell(self):
        run = subprocess.run(["podman", "run", "--rm", "--read-only", self.tag, "version"],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertIn("signet", run.stdout + run.stderr)
        shell = subprocess.run(["podman", "run", "--rm", "--entrypoint", "/bin/sh", self.tag, "-c", "true"],
                               capture_output=True, text=True)
        self.assertNotEqual(shell.returncode, 0, "the image has a /bin/sh")


if __name__ == "__main__":
    if len(sys.argv) > 1 and os.path.isdir(sys.argv[1]):
        SOURCE = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
