"""Where the SparkVAE application jar (the JVM side of the stages) is."""

import glob
import os
from typing import List

#: Environment variable that names the jar explicitly; it wins over every other place.
JAR_ENV = "SPARKVAE_JAR"

_PATTERN = "spark-job-*-app.jar"


def _candidates() -> List[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    found = sorted(glob.glob(os.path.join(here, "jars", _PATTERN)))
    # An editable install (pip install -e python) from a repository checkout where Maven built the
    # jar: <repo>/python/sparkvae/ -> <repo>/spark-job/target/.
    repo = os.path.dirname(os.path.dirname(here))
    found += sorted(glob.glob(os.path.join(repo, "spark-job", "target", _PATTERN)))
    return found


def jar_path() -> str:
    """The path of the SparkVAE application jar, for ``spark.jars``.

    Looked for, in order: the file named by the environment variable ``SPARKVAE_JAR``; the jar
    shipped inside this package (``sparkvae/jars/``, present in a wheel built after copying the jar
    there); ``spark-job/target/spark-job-*-app.jar`` of the repository this package was installed
    from in editable mode.

    Raises
    ------
    FileNotFoundError
        naming every place looked at and the one step that provides the jar.
    """
    explicit = os.environ.get(JAR_ENV)
    if explicit:
        if not os.path.isfile(explicit):
            raise FileNotFoundError(
                f"{JAR_ENV}={explicit} does not name a file: point it at "
                "spark-job/target/spark-job-<version>-app.jar (built by `mvn -DskipTests package`)"
            )
        return explicit
    found = _candidates()
    if not found:
        raise FileNotFoundError(
            "the SparkVAE application jar was not found: set SPARKVAE_JAR to "
            "spark-job/target/spark-job-<version>-app.jar, or build it (`mvn -B -DskipTests package`) "
            "and install this package from the repository with `pip install -e python`, or copy "
            "the jar into python/sparkvae/jars/ before `pip install ./python`"
        )
    return found[-1]
