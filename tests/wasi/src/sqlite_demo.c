// Drives SQLite (vendor/sqlite, the amalgamation bundled by the libsqlite3-sys crate):
// an in-memory database with joins, aggregates, a recursive CTE and JSON, then a database
// file in the preopened directory argv[1], written, closed, reopened and queried.
#include <stdio.h>
#include <string.h>
#include "sqlite3.h"

static int print_row(void *unused, int n, char **values, char **names) {
    (void)unused;
    for (int i = 0; i < n; i++)
        printf("%s%s=%s", i ? " " : "", names[i], values[i] ? values[i] : "NULL");
    printf("\n");
    return 0;
}

static int exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, print_row, NULL, &err) != SQLITE_OK) {
        printf("error: %s\n", err);
        sqlite3_free(err);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    printf("sqlite %s\n", sqlite3_libversion());
    sqlite3 *db;
    if (sqlite3_open(":memory:", &db) != SQLITE_OK) { puts("open failed"); return 1; }
    int bad = exec(db,
        "CREATE TABLE dept(id INTEGER PRIMARY KEY, name TEXT);"
        "CREATE TABLE emp(id INTEGER PRIMARY KEY, name TEXT, dept INTEGER, salary REAL);"
        "INSERT INTO dept VALUES (1, 'eng'), (2, 'ops');"
        "INSERT INTO emp(name, dept, salary) VALUES"
        "  ('ada', 1, 120.5), ('bob', 2, 80), ('cy', 1, 99.25), ('dee', 2, 101);"
        "CREATE INDEX emp_dept ON emp(dept);"
        "SELECT d.name AS dept, count(*) AS n, round(avg(e.salary), 2) AS avg_salary"
        "  FROM emp e JOIN dept d ON d.id = e.dept GROUP BY d.name ORDER BY d.name;"
        "WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0, 1 UNION ALL"
        "  SELECT i + 1, b, a + b FROM fib WHERE i < 50) SELECT max(a) AS fib49 FROM fib;"
        "SELECT json_extract('{\"a\":[1,2,{\"b\":\"deep\"}]}', '$.a[2].b') AS json;"
        "SELECT printf('%08.3f|%s', 3.14159, upper('sql')) AS fmt, length(zeroblob(1000)) AS len;");
    sqlite3_close(db);
    if (bad) return 1;

    if (argc > 1) {
        char path[512];
        snprintf(path, sizeof path, "%s/test.db", argv[1]);
        if (sqlite3_open(path, &db) != SQLITE_OK) { printf("open %s failed\n", path); return 1; }
        bad = exec(db,
            "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT);"
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000)"
            "  INSERT INTO t SELECT x, printf('row%04d', x) FROM n;");
        sqlite3_close(db);
        if (bad) return 1;
        if (sqlite3_open(path, &db) != SQLITE_OK) { puts("reopen failed"); return 1; }
        bad = exec(db, "SELECT count(*) AS rows, sum(k) AS total, max(v) AS last FROM t;"
                       "PRAGMA integrity_check;");
        sqlite3_close(db);
        if (bad) return 1;
    }
    return 0;
}
