# Sourced by scripts/test (after ensure-deps.sh): a Spark installation for the
# warehouse tests, from pyspark's PyPI package (it ships Spark's jars and
# bin/spark-sql) in the test venv .build/spark-venv. ChurnLab itself never runs
# Python: it starts $SPARK_HOME/bin/spark-sql (a JVM); pyspark is only how the
# tests get a Spark without a download step of their own.
#
#   start_test_spark   -> exports CHURNLAB_TEST_SPARK_HOME (a SPARK_HOME)
#
# Tests/lua/warehouse_spark_test.lua reads CHURNLAB_TEST_SPARK_HOME; without it the
# Spark cases skip and say why — except under CI (CI=true), where they fail.
# Needs Java 17+ (Debian's openjdk-17-jre-headless is installed when no java is found).

start_test_spark() {
    command -v java >/dev/null 2>&1 || ensure_system_packages openjdk-17-jre-headless
    local venv="$PWD/.build/spark-venv"
    local py="$venv/bin/python"
    if ! "$py" -c "import pyspark; assert pyspark.__version__ == '4.3.0'" >/dev/null 2>&1; then
        echo "==> installing pyspark (Spark for the warehouse tests) into .build/spark-venv" >&2
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q --disable-pip-version-check "pyspark==4.3.0" \
            || { echo "error: cannot install pyspark into .build/spark-venv: the Spark tests cannot run" >&2; return 1; }
    fi
    local home
    home="$("$py" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')" || return 1
    if [ ! -x "$home/bin/spark-sql" ]; then
        echo "error: pyspark at $home has no bin/spark-sql: the Spark tests cannot run" >&2
        return 1
    fi
    echo "==> Spark for the warehouse tests: pyspark $("$py" -c 'import pyspark; print(pyspark.__version__)') ($(java -version 2>&1 | head -1))" >&2
    export CHURNLAB_TEST_SPARK_HOME="$home"
}
