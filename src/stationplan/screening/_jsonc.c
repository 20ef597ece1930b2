/* Conjunction records as indented JSON text, byte for byte what
 * stationplan.screening.conjunction._record_json writes (itself json.dumps(as_dict(),
 * indent=2)), without a Python object per number.
 *
 * Float text is CPython's own: repr(x) is PyOS_double_to_string(x, 'r', 0,
 * Py_DTSF_ADD_DOT_0) and round(x, 6) is CPython's double_round (Objects/floatobject.c):
 * the correctly rounded decimal digits of _Py_dg_dtoa mode 3, read back by _Py_dg_strtod.
 * PyOS_double_to_string(x, 'f', 6) produces the same digits (mode 3, 6 decimals) and
 * PyOS_string_to_double reads them with the same _Py_dg_strtod, so the rounded double is
 * the same bits, the sign of a zero included (round(-1e-9, 6) is -0.0 both ways).
 * Non-finite values round to themselves; JSON spells them NaN / Infinity / -Infinity.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <math.h>
#include <string.h>

typedef struct {
    char *data;
    Py_ssize_t len, cap;
} Buf;

static int buf_reserve(Buf *b, Py_ssize_t extra) {
    if (b->len + extra <= b->cap) return 0;
    Py_ssize_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) cap *= 2;
    char *data = PyMem_Realloc(b->data, (size_t)cap);
    if (data == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    b->data = data;
    b->cap = cap;
    return 0;
}

static int buf_put(Buf *b, const char *s, Py_ssize_t n) {
    if (buf_reserve(b, n) < 0) return -1;
    memcpy(b->data + b->len, s, (size_t)n);
    b->len += n;
    return 0;
}

#define PUT_LIT(b, s) buf_put((b), (s), (Py_ssize_t)(sizeof(s) - 1))

/* A finite-or-not double as json.dumps writes float(x): repr, or NaN / ±Infinity. */
static int put_double(Buf *b, double x) {
    if (isnan(x)) return PUT_LIT(b, "NaN");
    if (isinf(x)) return x > 0 ? PUT_LIT(b, "Infinity") : PUT_LIT(b, "-Infinity");
    char *s = PyOS_double_to_string(x, 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
    if (s == NULL) return -1;
    int rc = buf_put(b, s, (Py_ssize_t)strlen(s));
    PyMem_Free(s);
    return rc;
}

/* Python's round(x, 6), bit for bit (see the file comment). */
static int round6(double x, double *out) {
    if (!isfinite(x)) {
        *out = x;
        return 0;
    }
    char *s = PyOS_double_to_string(x, 'f', 6, 0, NULL);
    if (s == NULL) return -1;
    double r = PyOS_string_to_double(s, NULL, NULL);
    PyMem_Free(s);
    if (r == -1.0 && PyErr_Occurred()) return -1;
    *out = r;
    return 0;
}

/* repr(round(x, 6)) as JSON text. Fast path, for 1e-4 <= |x| < 1e9 (the records' km and
 * km/s): y = fl(x * 1e6) is within |y| * 2^-53 of x * 1e6, so when y's fraction is farther
 * than |y| * 2^-50 from one half, the integer nearest x * 1e6 is that nearest y, n; the
 * correctly rounded decimal n * 10^-6 (what round reads back) is n / 1e6, IEEE division of
 * two exact doubles being correctly rounded. n has at most 15 significant digits, and two
 * decimals of at most 15 digits are never the same double, so repr of that double (the
 * shortest string that reads back to it) is n with the decimal point 6 places in, its
 * trailing zeros dropped; repr writes it in fixed notation as |value| >= 1e-4 and < 1e16.
 * Anything else (near-ties, tiny, huge, non-finite) takes round6 and PyOS_double_to_string. */
static int put_round6(Buf *b, double x) {
    double ax = fabs(x);
    if (ax >= 1e-4 && ax < 1e9) {
        double y = x * 1e6;
        double fl = floor(y);
        double f = y - fl; /* exact: |y| < 2^52 */
        if (fabs(f - 0.5) > fabs(y) * 0x1p-50) {
            long long n = (long long)(f > 0.5 ? fl + 1.0 : fl);
            char digits[24];
            int neg = n < 0;
            unsigned long long u = neg ? (unsigned long long)(-n) : (unsigned long long)n;
            int len = 0;
            do {
                digits[len++] = (char)('0' + u % 10);
                u /= 10;
            } while (u);
            while (len < 7) digits[len++] = '0'; /* at least one digit before the point */
            /* digits[] is reversed: digits[0..5] are the six decimals */
            int drop = 0;
            while (drop < 5 && digits[drop] == '0') drop++;
            char text[32];
            int k = 0;
            if (neg) text[k++] = '-';
            for (int d = len - 1; d >= 6; d--) text[k++] = digits[d];
            text[k++] = '.';
            for (int d = 5; d >= drop; d--) text[k++] = digits[d];
            return buf_put(b, text, k);
        }
    }
    double r;
    if (round6(x, &r) < 0) return -1;
    return put_double(b, r);
}

/* _float_json: an int (not a bool) as an int, anything else as float(x). */
static int put_number(Buf *b, PyObject *v) {
    if (PyFloat_CheckExact(v)) return put_double(b, PyFloat_AS_DOUBLE(v));
    if (PyLong_Check(v) && !PyBool_Check(v)) {
        PyObject *s = PyObject_Repr(v);
        if (s == NULL) return -1;
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(s, &n);
        int rc = u == NULL ? -1 : buf_put(b, u, n);
        Py_DECREF(s);
        return rc;
    }
    PyObject *f = PyNumber_Float(v);
    if (f == NULL) return -1;
    double x = PyFloat_AS_DOUBLE(f);
    Py_DECREF(f);
    return put_double(b, x);
}

/* A str through the given encoder (json's encode_basestring_ascii), which quotes it. */
static int put_encoded(Buf *b, PyObject *encode, PyObject *v) {
    PyObject *s = PyObject_CallOneArg(encode, v);
    if (s == NULL) return -1;
    Py_ssize_t n;
    const char *u = PyUnicode_AsUTF8AndSize(s, &n);
    int rc = u == NULL ? -1 : buf_put(b, u, n);
    Py_DECREF(s);
    return rc;
}

/* _optional_json: None as null, a str encoded, else a number. */
static int put_optional(Buf *b, PyObject *encode, PyObject *v) {
    if (v == Py_None) return PUT_LIT(b, "null");
    if (PyUnicode_Check(v)) return put_encoded(b, encode, v);
    return put_number(b, v);
}

/* _triple_json: three components, each float(v) rounded to 6 decimals. */
static int put_triple(Buf *b, PyObject *seq) {
    PyObject *fast = PySequence_Fast(seq, "a vector of three numbers");
    if (fast == NULL) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != 3) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "a vector of three numbers");
        return -1;
    }
    PyObject **items = PySequence_Fast_ITEMS(fast);
    int rc = PUT_LIT(b, "[\n      ");
    for (int k = 0; k < 3 && rc == 0; k++) {
        double x = PyFloat_CheckExact(items[k]) ? PyFloat_AS_DOUBLE(items[k])
                                                : PyFloat_AsDouble(items[k]);
        if (x == -1.0 && PyErr_Occurred()) {
            rc = -1;
            break;
        }
        if (put_round6(b, x) < 0) rc = -1;
        else if (k < 2) rc = PUT_LIT(b, ",\n      ");
    }
    if (rc == 0) rc = PUT_LIT(b, "\n    ]");
    Py_DECREF(fast);
    return rc;
}

enum { F_NORAD_1, F_NORAD_2, F_NAME_1, F_NAME_2, F_TCA_UTC, F_TCA_JD, F_MISS, F_SPEED,
       F_MISS_RTN, F_VEL_RTN, F_R1, F_V1, F_R2, F_V2, F_AGE_1, F_AGE_2, F_PC, F_PC_METHOD,
       F_HBR, F_ATTACHED, N_FIELDS };
static const char *FIELD_NAMES[N_FIELDS] = {
    "norad_1", "norad_2", "name_1", "name_2", "tca_utc", "tca_jd", "miss_km",
    "relative_speed_km_s", "miss_rtn_km", "relative_velocity_rtn_km_s", "r1_km", "v1_km_s",
    "r2_km", "v2_km_s", "age_days_1", "age_days_2", "pc", "pc_method", "hard_body_radius_m",
    "attached"};
static PyObject *field_keys[N_FIELDS];

/* iso_utc(when) for a datetime whose tzinfo is datetime.timezone.utc itself (astimezone is
 * then the identity) and whose year has four digits: "%Y-%m-%dT%H:%M:%S.%f" cut to the
 * milliseconds, plus "Z". Returns 1 when written, 0 when the caller must call iso_utc. */
static int put_utc_fast(Buf *b, PyObject *when) {
    if (!PyDateTime_Check(when) || !_PyDateTime_HAS_TZINFO(when)) return 0;
    if (PyDateTime_DATE_GET_TZINFO(when) != PyDateTime_TimeZone_UTC) return 0;
    int year = PyDateTime_GET_YEAR(when);
    if (year < 1000 || year > 9999) return 0;
    char text[32];
    int n = snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year,
                     PyDateTime_GET_MONTH(when), PyDateTime_GET_DAY(when),
                     PyDateTime_DATE_GET_HOUR(when), PyDateTime_DATE_GET_MINUTE(when),
                     PyDateTime_DATE_GET_SECOND(when),
                     PyDateTime_DATE_GET_MICROSECOND(when) / 1000);
    if (buf_put(b, text, n) < 0) return 1; /* error set */
    return 1;
}

static int put_record(Buf *b, PyObject *c, PyObject *encode, PyObject *iso_utc) {
    PyObject *v[N_FIELDS] = {NULL};
    int rc = 0;
    for (int k = 0; k < N_FIELDS; k++) {
        v[k] = PyObject_GetAttr(c, field_keys[k]);
        if (v[k] == NULL) {
            rc = -1;
            goto done;
        }
    }
#define CHECK(expr) \
    if ((expr) < 0) { rc = -1; goto done; }
    CHECK(PUT_LIT(b, "  {\n    \"norad_1\": "));
    {
        PyObject *n = PyNumber_Long(v[F_NORAD_1]);
        if (n == NULL) { rc = -1; goto done; }
        rc = put_number(b, n);
        Py_DECREF(n);
        CHECK(rc);
    }
    CHECK(PUT_LIT(b, ",\n    \"norad_2\": "));
    {
        PyObject *n = PyNumber_Long(v[F_NORAD_2]);
        if (n == NULL) { rc = -1; goto done; }
        rc = put_number(b, n);
        Py_DECREF(n);
        CHECK(rc);
    }
    CHECK(PUT_LIT(b, ",\n    \"name_1\": "));
    CHECK(put_encoded(b, encode, v[F_NAME_1]));
    CHECK(PUT_LIT(b, ",\n    \"name_2\": "));
    CHECK(put_encoded(b, encode, v[F_NAME_2]));
    CHECK(PUT_LIT(b, ",\n    \"tca_utc\": \""));
    if (put_utc_fast(b, v[F_TCA_UTC])) {
        if (PyErr_Occurred()) { rc = -1; goto done; }
    } else {
        PyObject *s = PyObject_CallOneArg(iso_utc, v[F_TCA_UTC]);
        if (s == NULL) { rc = -1; goto done; }
        Py_ssize_t n;
        const char *u = PyUnicode_AsUTF8AndSize(s, &n);
        rc = u == NULL ? -1 : buf_put(b, u, n);
        Py_DECREF(s);
        CHECK(rc);
    }
    CHECK(PUT_LIT(b, "\",\n    \"tca_jd\": "));
    CHECK(put_number(b, v[F_TCA_JD]));
    CHECK(PUT_LIT(b, ",\n    \"miss_km\": "));
    CHECK(put_number(b, v[F_MISS]));
    CHECK(PUT_LIT(b, ",\n    \"relative_speed_km_s\": "));
    CHECK(put_number(b, v[F_SPEED]));
    CHECK(PUT_LIT(b, ",\n    \"miss_rtn_km\": "));
    CHECK(put_triple(b, v[F_MISS_RTN]));
    CHECK(PUT_LIT(b, ",\n    \"relative_velocity_rtn_km_s\": "));
    CHECK(put_triple(b, v[F_VEL_RTN]));
    CHECK(PUT_LIT(b, ",\n    \"r1_km\": "));
    CHECK(put_triple(b, v[F_R1]));
    CHECK(PUT_LIT(b, ",\n    \"v1_km_s\": "));
    CHECK(put_triple(b, v[F_V1]));
    CHECK(PUT_LIT(b, ",\n    \"r2_km\": "));
    CHECK(put_triple(b, v[F_R2]));
    CHECK(PUT_LIT(b, ",\n    \"v2_km_s\": "));
    CHECK(put_triple(b, v[F_V2]));
    CHECK(PUT_LIT(b, ",\n    \"age_days_1\": "));
    CHECK(put_number(b, v[F_AGE_1]));
    CHECK(PUT_LIT(b, ",\n    \"age_days_2\": "));
    CHECK(put_number(b, v[F_AGE_2]));
    CHECK(PUT_LIT(b, ",\n    \"pc\": "));
    CHECK(put_optional(b, encode, v[F_PC]));
    CHECK(PUT_LIT(b, ",\n    \"pc_method\": "));
    CHECK(put_optional(b, encode, v[F_PC_METHOD]));
    CHECK(PUT_LIT(b, ",\n    \"hard_body_radius_m\": "));
    CHECK(put_optional(b, encode, v[F_HBR]));
    {
        int truth = PyObject_IsTrue(v[F_ATTACHED]);
        CHECK(truth);
        CHECK(truth ? PUT_LIT(b, ",\n    \"attached\": true\n  }")
                    : PUT_LIT(b, ",\n    \"attached\": false\n  }"));
    }
#undef CHECK
done:
    for (int k = 0; k < N_FIELDS; k++) Py_XDECREF(v[k]);
    return rc;
}

static PyObject *records_json(PyObject *self, PyObject *args) {
    PyObject *events, *encode, *iso_utc;
    if (!PyArg_ParseTuple(args, "OOO:records_json", &events, &encode, &iso_utc)) return NULL;
    PyObject *fast = PySequence_Fast(events, "a sequence of conjunctions");
    if (fast == NULL) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(fast);
    PyObject **items = PySequence_Fast_ITEMS(fast);
    Buf b = {NULL, 0, 0};
    int rc = buf_reserve(&b, 1300 * (n ? n : 1));
    for (Py_ssize_t k = 0; k < n && rc == 0; k++) {
        if (k > 0) rc = PUT_LIT(&b, ",\n");
        if (rc == 0) rc = put_record(&b, items[k], encode, iso_utc);
    }
    Py_DECREF(fast);
    PyObject *out = rc == 0 ? PyUnicode_DecodeASCII(b.data ? b.data : "", b.len, "strict")
                            : NULL;
    PyMem_Free(b.data);
    return out;
}

static PyObject *py_round6(PyObject *self, PyObject *arg) {
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    double r;
    if (round6(x, &r) < 0) return NULL;
    return PyFloat_FromDouble(r);
}

static PyObject *py_float_text(PyObject *self, PyObject *arg) {
    Buf b = {NULL, 0, 0};
    PyObject *out = NULL;
    if (put_number(&b, arg) == 0) out = PyUnicode_DecodeASCII(b.data, b.len, "strict");
    PyMem_Free(b.data);
    return out;
}

static PyObject *py_round6_text(PyObject *self, PyObject *arg) {
    double x = PyFloat_AsDouble(arg);
    if (x == -1.0 && PyErr_Occurred()) return NULL;
    Buf b = {NULL, 0, 0};
    PyObject *out = NULL;
    if (put_round6(&b, x) == 0) out = PyUnicode_DecodeASCII(b.data, b.len, "strict");
    PyMem_Free(b.data);
    return out;
}

static PyObject *py_utc_text(PyObject *self, PyObject *arg) {
    Buf b = {NULL, 0, 0};
    PyObject *out = NULL;
    if (put_utc_fast(&b, arg)) {
        if (!PyErr_Occurred()) out = PyUnicode_DecodeASCII(b.data, b.len, "strict");
    } else {
        out = Py_NewRef(Py_None);
    }
    PyMem_Free(b.data);
    return out;
}

static PyMethodDef methods[] = {
    {"utc_text", py_utc_text, METH_O,
     "utc_text(when) -> str | None: iso_utc(when) for a four-digit-year datetime in "
     "timezone.utc, else None (iso_utc's business)."},
    {"round6_text", py_round6_text, METH_O,
     "round6_text(x) -> str: conjunction._float_json(round(float(x), 6))."},
    {"records_json", records_json, METH_VARARGS,
     "records_json(events, encode_string, iso_utc) -> str: the records' indented JSON "
     "objects joined by ',\\n' (conjunction._record_json's text for each)."},
    {"round6", py_round6, METH_O, "round6(x) -> float: round(float(x), 6), bit for bit."},
    {"float_text", py_float_text, METH_O,
     "float_text(x) -> str: conjunction._float_json(x) (repr, or NaN / Infinity)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_jsonc",
                                    "Conjunction records as JSON text (C).", -1, methods};

PyMODINIT_FUNC PyInit__jsonc(void) {
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) return NULL;
    for (int k = 0; k < N_FIELDS; k++) {
        field_keys[k] = PyUnicode_InternFromString(FIELD_NAMES[k]);
        if (field_keys[k] == NULL) return NULL;
    }
    return PyModule_Create(&module);
}
