# -*- coding: utf-8 -*-
# Copyright: lvs.cluster contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The machinery the inventory model is written in: field tables and the pass that applies them.

An entity (a VRRP instance, a service, a backend, a health check) is described by a table:
an ordered tuple of :class:`Field` (one per key: how to read it, its default, the value kept
when it is wrong, the message and the fix) and :class:`Check` (a named rule between fields,
at the place in the order where its message belongs). :func:`apply` runs a table over one
declaration; :func:`apply_options` runs an option table over a mapping in the mapping's key
order. Neither stops at a problem: each appends a :class:`Problem` and goes on, so the caller
gets every problem at once.

Pure code: no Ansible objects, no I/O.
"""

from __future__ import annotations

import ipaddress
import re


class Problem:
    """One thing wrong with the inventory: which variable, on which host, what, and the fix."""

    __slots__ = ("variable", "host", "message", "fix")

    def __init__(self, variable, message, fix, host=None):
        self.variable = variable
        self.host = host
        self.message = message
        self.fix = fix

    def as_dict(self):
        return {"variable": self.variable, "host": self.host, "message": self.message, "fix": self.fix}

    def __str__(self):
        where = " (host %s)" % self.host if self.host else ""
        return "%s%s: %s. Fix: %s" % (self.variable, where, self.message, self.fix)

    def __repr__(self):
        return "Problem(%r)" % str(self)

    def __eq__(self, other):
        return isinstance(other, Problem) and self.as_dict() == other.as_dict()

    def __hash__(self):
        return hash(str(self))


class ModelError(Exception):
    """Raised by the derivation helpers when the declaration is not usable; carries the problems."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))


# --- typed readers of inventory values -----------------------------------------------------


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def as_int(value):
    """Integer from an int or a decimal string (inventory values are often strings); else None."""
    if _is_int(value):
        return value
    if isinstance(value, str) and re.match(r"^-?[0-9]+$", value.strip()):
        return int(value.strip())
    return None


def as_number(value):
    if _is_int(value) or isinstance(value, float):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def as_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("yes", "true", "on", "1", "no", "false", "off", "0"):
        return value.lower() in ("yes", "true", "on", "1")
    if _is_int(value) and value in (0, 1):
        return bool(value)
    return None


def parse_ip(value):
    """ipaddress object for an address string without prefix, else None."""
    if not isinstance(value, str):
        return None
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def parse_interface(value):
    """ipaddress interface for 'addr/prefix', else None."""
    if not isinstance(value, str) or "/" not in value:
        return None
    try:
        return ipaddress.ip_interface(value.strip())
    except ValueError:
        return None


# --- kinds: a reader returns (ok, value); value is what a wrong input leaves when fallback is KEEP


def integer(low=None, high=None):
    """A whole number (int or decimal string) within [low, high]."""

    def read(raw, entity):
        number = as_int(raw)
        ok = number is not None and (low is None or number >= low) and (high is None or number <= high)
        return ok, number

    return read


def optional(read):
    """None (absent or null) is fine and stays None; anything else goes through ``read``."""

    def wrapped(raw, entity):
        return (True, None) if raw is None else read(raw, entity)

    return wrapped


def boolean(raw, entity):
    flag = as_bool(raw)
    return flag is not None, flag


def choice(choices, lower=False):
    """One of ``choices``; with ``lower``, compared (and kept) lower-cased."""

    def read(raw, entity):
        value = str(raw).lower() if lower else raw
        return value in choices, value

    return read


def required_text(raw, entity):
    ok = isinstance(raw, str) and bool(raw)
    return ok, raw if ok else None


def script_path(raw, entity):
    """An absolute path to a script, possibly with arguments; None when absent."""
    if raw is None:
        return True, None
    return isinstance(raw, str) and raw.startswith("/"), raw


def as_list(raw, single):
    """The list a list-valued key declares: absent (None) is [], one value of the ``single``
    types is a list of one, a list is itself; anything else is None (the reader refuses it)."""
    if raw is None:
        return []
    if isinstance(raw, single):
        return [raw]
    return list(raw) if isinstance(raw, list) else None


def names(raw, entity):
    """A list of non-empty names; a single name is a list of one; absent (or empty) is []."""
    value = as_list(raw or None, str)
    ok = value is not None and all(isinstance(v, str) and v for v in value)
    return ok, value if ok else []


def address(raw, entity):
    ip = parse_ip(raw)
    return ip is not None, str(ip) if ip is not None else None


# --- tables ---------------------------------------------------------------------------------

KEEP = object()  # fallback: keep what the reader made of the wrong input


class Field:
    """One key of an entity.

    ``read(raw, entity) -> (ok, value)``; ``raw`` is the declared value, or ``default`` when the
    key is absent (``default`` may be a callable ``(item, entity, context)``, always called).
    ``source`` reads another key when this one is absent (an alias). ``when(item, entity)``
    false: the key is not read and holds
    ``absent``. On a wrong value the entity holds ``fallback`` (``KEEP``: the reader's value) and a
    Problem is appended; ``message`` and ``fix`` are %-formatted with ``got`` (the value under
    this key, else the default) and ``key``. ``derive(entity)`` computes a key from earlier ones.
    """

    __slots__ = ("key", "read", "message", "fix", "default", "fallback", "source", "when", "absent", "derive")

    def __init__(self, key, read=None, message=None, fix=None, default=None, fallback=None, source=None, when=None, absent=None, derive=None):
        self.key = key
        self.read = read
        self.message = message
        self.fix = fix
        self.default = default
        self.fallback = fallback
        self.source = source
        self.when = when
        self.absent = absent
        self.derive = derive

    def __call__(self, item, var, problems, entity, context):
        if self.derive is not None:
            entity[self.key] = self.derive(entity)
            return
        if self.when is not None and not self.when(item, entity):
            entity[self.key] = self.absent
            return
        default = self.default(item, entity, context) if callable(self.default) else self.default
        raw = item.get(self.key, item.get(self.source, default) if self.source else default)
        ok, value = self.read(raw, entity)
        if not ok:
            problems.append(self.problem(var, item.get(self.key, default)))
            value = value if self.fallback is KEEP else self.fallback
        entity[self.key] = value

    def problem(self, var, got):
        args = {"got": got, "key": self.key}
        return Problem("%s.%s" % (var, self.key), self.message % args, self.fix % args)


class Check:
    """A named rule across fields: ``rule(entity, item, var, problems, context)``, run in table order."""

    __slots__ = ("rule",)

    def __init__(self, rule):
        self.rule = rule

    @property
    def name(self):
        return self.rule.__name__

    def __call__(self, item, var, problems, entity, context):
        self.rule(entity, item, var, problems, context)


class Nested:
    """A key holding a nested declaration: ``entity[key] = normalise(var, raw, problems, entity, context)``."""

    __slots__ = ("key", "normalise")

    def __init__(self, key, normalise):
        self.key = key
        self.normalise = normalise

    def __call__(self, item, var, problems, entity, context):
        entity[self.key] = self.normalise(var, item.get(self.key), problems, entity, context)


def keys(table):
    """The keys a table accepts (derived keys are outputs, not inputs)."""
    accepted = set()
    for entry in table:
        if isinstance(entry, Nested):
            accepted.add(entry.key)
        elif isinstance(entry, Field) and entry.derive is None:
            accepted.add(entry.key)
            if entry.source:
                accepted.add(entry.source)
    return accepted


def apply(table, item, var, problems, entity, context=None):
    """Run every Field and Check of ``table`` over ``item`` into ``entity``; returns ``entity``."""
    for entry in table:
        entry(item, var, problems, entity, context)
    return entity


def apply_options(options, item, var, problems, entity, kind, ignore=(), elsewhere=()):
    """Option mappings (health checks): every key of ``item`` in sorted order, wrong ones left out.

    ``options`` maps key -> Field; a key not in it is "not an option of ``kind``" (except the
    ``ignore`` keys, read before); keys in ``elsewhere`` are accepted but read by the caller.
    """
    for key in sorted(item):
        if key in ignore:
            continue
        if key not in options:
            problems.append(Problem("%s.%s" % (var, key), "is not an option of %s" % kind, "use one of: %s" % ", ".join(sorted(options))))
            continue
        if key in elsewhere:
            continue
        field = options[key]
        ok, value = field.read(item[key], entity)
        if not ok:
            problems.append(field.problem(var, item[key]))
            continue
        entity[key] = value
    return entity


class Declaration:
    """A list of named entities in one inventory variable (``lvs_vrrp_instances``, ``lvs_services``).

    Everything but the table is the wording of the list-level problems: the variable, what an
    item is, and the name rule.
    """

    __slots__ = ("variable", "table", "what", "mapping_fix", "name_re", "name_message", "name_fix", "twice", "twice_fix")

    def __init__(self, variable, table, what, mapping_fix, name_re, name_message, name_fix, twice, twice_fix):
        self.variable = variable
        self.table = table
        self.what = what
        self.mapping_fix = mapping_fix
        self.name_re = name_re
        self.name_message = name_message
        self.name_fix = name_fix
        self.twice = twice
        self.twice_fix = twice_fix


def apply_declaration(declaration, raw, problems, context=None):
    """Normalise a declared list: every item through the table; unusable names drop the item.

    Items whose name is missing, malformed or taken are left out (nothing else can name them);
    every other item is kept with its wrong fields at their fallback, so that later checks
    still report on the rest.
    """
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.append(
            Problem(
                declaration.variable,
                "must be a list of %s declarations, got %s" % (declaration.what, type(raw).__name__),
                "declare %s as a YAML list in group_vars/all" % declaration.variable,
            )
        )
        return []
    accepted = keys(declaration.table) | {"name"}
    result = []
    seen = set()
    for index, item in enumerate(raw):
        name = item.get("name") if isinstance(item, dict) else None
        var = "%s[%d]" % (declaration.variable, index) if not name else "%s[%d] (%s)" % (declaration.variable, index, name)
        if not isinstance(item, dict):
            problems.append(Problem(var, "must be a mapping", declaration.mapping_fix))
            continue
        for key in sorted(set(item) - accepted):
            problems.append(Problem("%s.%s" % (var, key), "unknown key", "remove it or use one of: %s" % ", ".join(sorted(accepted))))
        if not isinstance(name, str) or not declaration.name_re.match(name):
            problems.append(Problem("%s.name" % var, declaration.name_message % (name,), declaration.name_fix))
            continue
        if name in seen:
            problems.append(Problem("%s.name" % var, declaration.twice % name, declaration.twice_fix))
            continue
        seen.add(name)
        result.append(apply(declaration.table, item, var, problems, {"name": name}, context))
    return result
