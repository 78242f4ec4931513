"""Backward-compatibility check between two JSON Schemas of the same event.

Breaking: a property removed; a property's type changed (``type``/``format``/``$ref`` target, also
inside ``anyOf`` branches and in ``$defs``); ``null`` no longer allowed; a new required property (or an
optional one made required); an enum value removed; the event's topic, key or event type changed.
Compatible: a new optional property, a new enum value, a newly nullable property.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_META_KEYS = ("x-event-type", "x-topic", "x-key")


def breaking_changes(old_schema: Schema, new_schema: Schema) -> list[str]:
    """Human-readable list of backward-incompatible differences (empty when compatible)."""
    checker = _Checker(old_schema, new_schema)
    problems: list[str] = []
    for key in _META_KEYS:
        if key in old_schema and old_schema.get(key) != new_schema.get(key):
            problems.append(f"{key} changed from {old_schema.get(key)!r} to {new_schema.get(key)!r}")
    problems.extend(checker.compare(old_schema, new_schema, "$"))
    return problems


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


class _Checker:
    def __init__(self, old_root: Schema, new_root: Schema) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self._seen: set[tuple[str, str]] = set()

    # -- helpers -------------------------------------------------------------------------------
    @staticmethod
    def _lookup(root: Schema, ref: str) -> Schema:
        if not ref.startswith("#/"):
            raise ValueError(f"only local $ref is supported: {ref!r}")
        node: Any = root
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    @staticmethod
    def _branches(node: Schema) -> tuple[list[Schema], bool]:
        """Non-null alternatives of ``node`` and whether null is allowed."""
        alternatives = node.get("anyOf") or node.get("oneOf")
        if alternatives is None:
            types = node.get("type")
            if isinstance(types, list) and "null" in types:
                rest = [t for t in types if t != "null"]
                stripped = {**node, "type": rest[0] if len(rest) == 1 else rest}
                return ([stripped] if rest else []), True
            return [node], types == "null"
        branches = [b for b in alternatives if b.get("type") != "null"]
        return branches, len(branches) != len(alternatives)

    @staticmethod
    def _signature(node: Schema) -> tuple[Any, ...]:
        if "$ref" in node:
            return ("ref", _ref_name(node["$ref"]))
        if "allOf" in node and len(node["allOf"]) == 1 and "$ref" in node["allOf"][0]:
            return ("ref", _ref_name(node["allOf"][0]["$ref"]))
        if "const" in node and "type" not in node:
            return ("const", repr(node["const"]))
        types = node.get("type")
        if isinstance(types, list):
            types = tuple(sorted(types))
        if "enum" in node and types is None:
            types = "enum"
        return ("type", types, node.get("format"))

    # -- comparison ----------------------------------------------------------------------------
    def compare(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        old_branches, old_null = self._branches(old)
        new_branches, new_null = self._branches(new)
        if old_null and not new_null:
            problems.append(f"{path}: no longer accepts null")
        new_by_sig = {self._signature(b): b for b in new_branches}
        if len(old_branches) == 1 and len(new_branches) == 1:
            pairs = [(old_branches[0], new_branches[0])]
        else:
            pairs = []
            for branch in old_branches:
                match = new_by_sig.get(self._signature(branch))
                if match is None:
                    problems.append(f"{path}: alternative {self._describe(branch)} removed")
                else:
                    pairs.append((branch, match))
        for old_b, new_b in pairs:
            problems.extend(self._compare_single(old_b, new_b, path))
        return problems

    def _describe(self, node: Schema) -> str:
        sig = self._signature(node)
        if sig[0] == "ref":
            return f"$ref {sig[1]}"
        if sig[0] == "const":
            return f"const {sig[1]}"
        return f"type {sig[1]}" + (f" (format {sig[2]})" if sig[2] else "")

    def _compare_single(self, old: Schema, new: Schema, path: str) -> list[str]:
        old_sig, new_sig = self._signature(old), self._signature(new)
        if old_sig != new_sig:
            return [f"{path}: type changed from {self._describe(old)} to {self._describe(new)}"]
        if old_sig[0] == "ref":
            old_ref = old["$ref"] if "$ref" in old else old["allOf"][0]["$ref"]
            new_ref = new["$ref"] if "$ref" in new else new["allOf"][0]["$ref"]
            if (old_ref, new_ref) in self._seen:  # each pair of definitions is compared once
                return []
            self._seen.add((old_ref, new_ref))
            return self.compare(
                self._lookup(self.old_root, old_ref),
                self._lookup(self.new_root, new_ref),
                f"{path}<{_ref_name(new_ref)}>",
            )
        problems: list[str] = []
        if "enum" in old:
            removed = [v for v in old["enum"] if v not in new.get("enum", old["enum"])]
            if "enum" not in new:
                removed = []  # the restriction was lifted: every old value is still valid
            problems.extend(f"{path}: enum value {v!r} removed" for v in removed)
        if "const" in old and old.get("const") != new.get("const", old.get("const")):
            problems.append(f"{path}: const changed from {old['const']!r} to {new.get('const')!r}")
        if "properties" in old or "properties" in new or old.get("type") == "object":
            problems.extend(self._compare_object(old, new, path))
        if "items" in old and "items" in new:
            problems.extend(self.compare(old["items"], new["items"], f"{path}[]"))
        if isinstance(old.get("additionalProperties"), dict) and isinstance(new.get("additionalProperties"), dict):
            problems.extend(self.compare(old["additionalProperties"], new["additionalProperties"], f"{path}{{}}"))
        return problems

    def _compare_object(self, old: Schema, new: Schema, path: str) -> list[str]:
        problems: list[str] = []
        old_props: dict[str, Schema] = old.get("properties", {})
        new_props: dict[str, Schema] = new.get("properties", {})
        old_required = set(old.get("required", ()))
        new_required = set(new.get("required", ()))
        for name in old_props:
            if name not in new_props:
                problems.append(f"{path}.{name}: property removed")
        for name in sorted(new_required - old_required):
            if name in old_props:
                problems.append(f"{path}.{name}: optional property became required")
            else:
                problems.append(f"{path}.{name}: new required property")
        for name, old_prop in old_props.items():
            if name in new_props:
                problems.extend(self.compare(old_prop, new_props[name], f"{path}.{name}"))
        return problems
