#!/usr/bin/env bash
# `make docs-build`: the collection's changelog and reference docs, as a user and a docs site get
# them, offline:
#   1. antsibull-changelog lint: changelogs/changelog.yaml and every fragment in changelogs/fragments/;
#   2. antsibull-docs lint-collection-docs --plugin-docs on the working tree: every plugin's
#      DOCUMENTATION/EXAMPLES/RETURN and every role's meta/argument_specs.yml (schema, markup, rstcheck),
#      with every reference (M(), O(), RV(), seealso) checked against this collection and the
#      collections it depends on (ansible.posix, community.general, ansible.utils, as the ansible
#      package ships them);
#   3. the reference site from the built tarball: antsibull-docs sphinx-init, antsibull-docs collection,
#      then sphinx-build with warnings as errors, into build/docs/ (open build/docs/build/html/index.html).
# Nothing is downloaded: the only intersphinx inventory is one written here for the docs.ansible.com
# labels the generated pages refer to (below); a reference to any other outside label fails the build.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
tarball=$(ls build/lvs-cluster-*.tar.gz)
site=$ROOT/build/docs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "docs: antsibull-changelog lint"
antsibull-changelog lint

# A collections path with lvs.cluster and its dependencies only: ansible's sys.path scan would add the
# ansible package's hundred collections, which the linter then loads (minutes instead of seconds).
colls=$work/collections/ansible_collections
shipped=$(python -c 'import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))')
for dep in ansible/posix community/general ansible/utils; do
    mkdir -p "$colls/${dep%/*}"
    ln -s "$shipped/ansible_collections/$dep" "$colls/$dep"
done
mkdir -p "$colls/lvs"
export ANSIBLE_COLLECTIONS_PATH=$work/collections ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false ANSIBLE_NOCOLOR=1

echo "docs: antsibull-docs lint-collection-docs --plugin-docs (the working tree) [${SECONDS}s]"
ln -s "$ROOT" "$colls/lvs/cluster"
antsibull-docs lint-collection-docs --plugin-docs --validate-collection-refs all \
    --disallow-unknown-collection-refs "$colls/lvs/cluster"
rm "$colls/lvs/cluster"

echo "docs: reference site from $tarball into ${site#"$ROOT"/} [${SECONDS}s]"
ansible-galaxy collection install --force --offline --no-deps -p "$work/collections" "$tarball" >/dev/null
rm -rf "$site"
mkdir -m 0755 "$site"
antsibull-docs sphinx-init --use-current --squash-hierarchy --fail-on-error --dest-dir "$site" \
    --project lvs.cluster --copyright 'lvs.cluster contributors' --title 'lvs.cluster' lvs.cluster >/dev/null
cd "$site"
# The rst as sphinx-init's build.sh makes it.
mkdir -p rst
chmod og-w rst
antsibull-docs --config-file antsibull-docs.cfg collection --cleanup everything --fail-on-error \
    --use-current --squash-hierarchy --dest-dir rst lvs.cluster >/dev/null
# The generated pages link to docs.ansible.com (common return values, action plugins, the
# configuration settings, the modules of ansible.posix and community.general) through intersphinx,
# whose inventory sphinx would download. Write that inventory instead, for exactly the outside
# labels the pages use: a label of lvs.cluster's own is never in it (a broken one fails the build),
# a dependency's module label only after step 2 has checked the module exists, and any other
# label must first get its page in PAGES.
python - <<'EOF'
import glob, re, sys, zlib

BASE = 'https://docs.ansible.com/projects/ansible/devel/'
PAGES = {
    'common_return_values': ('reference_appendices/common_return_values.html#common-return-values', 'Return Values'),
    'action_plugins': ('plugins/action.html#action-plugins', 'Action plugins'),
    'ansible_configuration_settings': ('reference_appendices/config.html#ansible-configuration-settings',
                                       'Ansible Configuration Settings'),
}
DEPENDENCIES = ('ansible.posix', 'community.general', 'ansible.utils')
defined, wanted = set(), set()
for path in glob.glob('rst/**/*.rst', recursive=True):
    text = open(path, encoding='utf-8').read()
    defined.update(re.findall(r'^\.\. _([^:\n]+):', text, re.M))
    for ref in re.findall(r':ref:`([^`]*)`', text):
        m = re.search(r'<([^>]+)>\s*$', ref)
        wanted.add((m.group(1) if m else ref).strip())
entries, unknown = [], []
for label in sorted(wanted - defined):
    plugin = re.fullmatch(r'ansible_collections\.([a-z0-9_]+)\.([a-z0-9_]+)\.([a-z0-9_]+)_([a-z]+)', label)
    if label in PAGES:
        uri, title = PAGES[label]
    elif plugin and '%s.%s' % plugin.group(1, 2) in DEPENDENCIES:
        ns, coll, name, kind = plugin.groups()
        uri, title = 'collections/%s/%s/%s_%s.html#%s' % (ns, coll, name, kind, label.replace('.', '-').replace('_', '-')), \
            '%s.%s.%s %s' % (ns, coll, name, kind)
    else:
        unknown.append(label)
        continue
    entries.append('%s std:label -1 %s %s\n' % (label, uri, title))
if unknown:
    sys.exit('docs.sh: the pages refer to labels that are neither lvs.cluster\'s nor known docs.ansible.com pages: %s'
             % ', '.join(unknown))
with open('ansible_devel.inv', 'wb') as f:
    f.write(b'# Sphinx inventory version 2\n# Project: Ansible\n# Version: devel\n'
            b'# The remainder of this file is compressed using zlib.\n')
    f.write(zlib.compress(''.join(entries).encode('utf-8')))
print('docs: offline intersphinx inventory with %d docs.ansible.com labels: %s'
      % (len(entries), ', '.join(e.split(' ', 1)[0] for e in entries)))
EOF
cat >> conf.py <<'EOF'

# lvs.cluster scripts/docs.sh: offline. The one inventory is the local file docs.sh writes; no download.
intersphinx_mapping = {
    'ansible_devel': ('https://docs.ansible.com/projects/ansible/devel/', '../ansible_devel.inv'),
}
EOF
echo "docs: sphinx-build -W [${SECONDS}s]"
sphinx-build -M html rst build -c . -W --keep-going -q
pages=$(find build/html -name '*.html' | wc -l)
for page in index ipvs_table_module director_role; do
    [ -f "build/html/$page.html" ] || { echo "docs.sh: the site has no $page.html" >&2; exit 1; }
done
echo "docs: ${site#"$ROOT"/}/build/html: $pages pages, no warning [${SECONDS}s]"
