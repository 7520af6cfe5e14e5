// chart-render renders a Helm chart the way `helm template` does, for signet's chart tests: there is no
// helm package on Debian, but Helm's template language is Go's text/template with sprig's functions, and
// both are packaged. This adds what Helm adds on top: include, tpl, required, toYaml/fromYaml/toJson
// and friends, lookup (answered from a fixture file), .Release, .Chart, .Capabilities, .Files,
// .Template, values merged from files and --set, and values checked against values.schema.json.
//
// usage: chart-render --chart DIR [--values FILE]... [--set PATH=VALUE]... [--set-string PATH=VALUE]...
//
//	[--name NAME] [--namespace NS] [--upgrade] [--service NAME] [--lookup FILE] [--kube-version 1.30]
//	[--api-versions GROUP/VERSION[/KIND]]... [--notes] [--values-only]
//
// Exit 0 with the manifests on stdout; 1 with the reason on stderr when values break the schema or a
// template fails (required, fail, a syntax error); 2 on usage errors.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"github.com/xeipuuv/gojsonschema"
	"sigs.k8s.io/yaml"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func main() {
	var valueFiles, sets, stringSets, apiVersions listFlag
	chartDir := flag.String("chart", "", "the chart's folder")
	name := flag.String("name", "signet", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	upgrade := flag.Bool("upgrade", false, "render as an upgrade (.Release.IsUpgrade)")
	service := flag.String("service", "Helm", ".Release.Service")
	lookupFile := flag.String("lookup", "", "YAML objects that lookup finds (as if in the cluster)")
	kubeVersion := flag.String("kube-version", "1.30.0", ".Capabilities.KubeVersion")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	valuesOnly := flag.Bool("values-only", false, "print the merged, validated values as YAML")
	flag.Var(&valueFiles, "values", "a values file merged over the chart's (repeatable)")
	flag.Var(&sets, "set", "PATH=VALUE merged last, typed as YAML (repeatable)")
	flag.Var(&stringSets, "set-string", "PATH=VALUE merged last, always a string (repeatable)")
	flag.Var(&apiVersions, "api-versions", "an API version the cluster serves (repeatable)")
	flag.Parse()
	if *chartDir == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: chart-render --chart DIR [--values FILE]... [--set PATH=VALUE]... (see the source)")
		os.Exit(2)
	}

	chart, err := loadChart(*chartDir)
	if err != nil {
		fail(err)
	}
	values := chart.values
	for _, file := range valueFiles {
		more, err := readYAMLMap(file)
		if err != nil {
			fail(err)
		}
		values = mergeValues(values, more)
	}
	for _, set := range sets {
		if err := applySet(values, set, false); err != nil {
			fail(err)
		}
	}
	for _, set := range stringSets {
		if err := applySet(values, set, true); err != nil {
			fail(err)
		}
	}
	if err := validateValues(*chartDir, values); err != nil {
		fail(err)
	}
	if *valuesOnly {
		out, _ := yaml.Marshal(values)
		os.Stdout.Write(out)
		return
	}

	objects, err := readLookupObjects(*lookupFile)
	if err != nil {
		fail(err)
	}
	release := map[string]interface{}{
		"Name": *name, "Namespace": *namespace, "IsInstall": !*upgrade, "IsUpgrade": *upgrade,
		"Revision": 1, "Service": *service,
	}
	if *upgrade {
		release["Revision"] = 2
	}
	caps, err := capabilities(*kubeVersion, apiVersions)
	if err != nil {
		fail(err)
	}
	rendered, err := render(chart, values, release, caps, objects)
	if err != nil {
		fail(err)
	}
	notesName := chart.name + "/templates/NOTES.txt"
	if *notes {
		fmt.Print(rendered[notesName])
		return
	}
	names := make([]string, 0, len(rendered))
	for n := range rendered {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if n == notesName || strings.TrimSpace(rendered[n]) == "" {
			continue
		}
		fmt.Printf("---\n# Source: %s\n%s\n", n, strings.TrimSpace(rendered[n]))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "Error:", err)
	os.Exit(1)
}

type chart struct {
	name      string
	metadata  map[string]interface{}
	values    map[string]interface{}
	templates map[string]string // full name (chart/templates/...) -> text
	files     files             // every other file, by path relative to the chart
}

func loadChart(dir string) (*chart, error) {
	metadata, err := readYAMLMap(filepath.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	values, err := readYAMLMap(filepath.Join(dir, "values.yaml"))
	if err != nil {
		return nil, err
	}
	name, _ := metadata["name"].(string)
	if name == "" {
		return nil, fmt.Errorf("%s: Chart.yaml has no name", dir)
	}
	c := &chart{name: name, metadata: metadata, values: values, templates: map[string]string{}, files: files{}}
	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		switch {
		case strings.HasPrefix(rel, "templates/"):
			c.templates[name+"/"+rel] = string(data)
		case rel == "Chart.yaml" || rel == "values.yaml" || rel == "values.schema.json" || rel == ".helmignore":
		default:
			c.files[rel] = data
		}
		return nil
	})
	return c, err
}

func readYAMLMap(file string) (map[string]interface{}, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	out := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	if out == nil {
		out = map[string]interface{}{}
	}
	return out, nil
}

// mergeValues merges over onto base as Helm does: maps merge key by key, anything else replaces, and a
// null removes the key.
func mergeValues(base, over map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if v == nil {
			delete(out, k)
			continue
		}
		if vm, ok := v.(map[string]interface{}); ok {
			if bm, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeValues(bm, vm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

var indexPart = regexp.MustCompile(`^(.*)\[(\d+)\]$`)

// applySet applies one --set: a dotted path (a\.b escapes a dot), an optional [N] list index at each
// step, and a value typed as YAML (true, 3, null) unless asString; {a,b} is a list.
func applySet(values map[string]interface{}, set string, asString bool) error {
	eq := strings.Index(set, "=")
	if eq <= 0 {
		return fmt.Errorf("--set %q: want PATH=VALUE", set)
	}
	var value interface{} = set[eq+1:]
	if !asString {
		text := set[eq+1:]
		if strings.HasPrefix(text, "{") && strings.HasSuffix(text, "}") {
			list := []interface{}{}
			for _, item := range strings.Split(strings.Trim(text, "{}"), ",") {
				if item != "" {
					list = append(list, typed(item))
				}
			}
			value = list
		} else {
			value = typed(text)
		}
	}
	parts := splitPath(set[:eq])
	var node interface{} = values
	for i, part := range parts {
		last := i == len(parts)-1
		key, index := part, -1
		if m := indexPart.FindStringSubmatch(part); m != nil {
			key = m[1]
			index, _ = strconv.Atoi(m[2])
		}
		parent, ok := node.(map[string]interface{})
		if !ok {
			return fmt.Errorf("--set %q: %s is not a map", set, strings.Join(parts[:i], "."))
		}
		if index < 0 {
			if last {
				if value == nil {
					delete(parent, key)
				} else {
					parent[key] = value
				}
				return nil
			}
			if _, ok := parent[key].(map[string]interface{}); !ok {
				parent[key] = map[string]interface{}{}
			}
			node = parent[key]
			continue
		}
		list, _ := parent[key].([]interface{})
		for len(list) <= index {
			list = append(list, map[string]interface{}{})
		}
		parent[key] = list
		if last {
			list[index] = value
			return nil
		}
		if _, ok := list[index].(map[string]interface{}); !ok {
			list[index] = map[string]interface{}{}
		}
		node = list[index]
	}
	return nil
}

func splitPath(p string) []string {
	var parts []string
	var current strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p):
			current.WriteByte(p[i+1])
			i++
		case p[i] == '.':
			parts = append(parts, current.String())
			current.Reset()
		default:
			current.WriteByte(p[i])
		}
	}
	return append(parts, current.String())
}

func typed(text string) interface{} {
	var v interface{}
	if err := yaml.Unmarshal([]byte(text), &v); err != nil {
		return text
	}
	if _, isMap := v.(map[string]interface{}); isMap {
		return text
	}
	if _, isList := v.([]interface{}); isList {
		return text
	}
	return v
}

// validateValues checks the merged values against the chart's values.schema.json, as Helm does before
// rendering, and names every field that breaks it.
func validateValues(dir string, values map[string]interface{}) error {
	schema, err := os.ReadFile(filepath.Join(dir, "values.schema.json"))
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return err
	}
	result, err := gojsonschema.Validate(gojsonschema.NewBytesLoader(schema), gojsonschema.NewGoLoader(values))
	if err != nil {
		return fmt.Errorf("values.schema.json: %v", err)
	}
	if result.Valid() {
		return nil
	}
	var b strings.Builder
	b.WriteString("values don't meet the specifications of the schema(s) in the following chart(s):\n")
	for _, e := range result.Errors() {
		fmt.Fprintf(&b, "- %s\n", e)
	}
	return fmt.Errorf("%s", strings.TrimSpace(b.String()))
}

func readLookupObjects(file string) ([]map[string]interface{}, error) {
	if file == "" {
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var objects []map[string]interface{}
	for _, doc := range regexp.MustCompile(`(?m)^---\s*$`).Split(string(data), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		object := map[string]interface{}{}
		if err := yaml.Unmarshal([]byte(doc), &object); err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		objects = append(objects, object)
	}
	return objects, nil
}

type kubeVersion struct {
	Version, Major, Minor, GitVersion string
}

func (v kubeVersion) String() string { return v.Version }

type versionSet []string

// Has is .Capabilities.APIVersions.Has: "group/version" or "group/version/Kind".
func (s versionSet) Has(v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func capabilities(version string, extra []string) (map[string]interface{}, error) {
	parts := strings.Split(strings.TrimPrefix(version, "v"), ".")
	if len(parts) < 2 {
		return nil, fmt.Errorf("--kube-version %q: want MAJOR.MINOR[.PATCH]", version)
	}
	builtin := versionSet{"v1", "apps/v1", "batch/v1", "policy/v1", "networking.k8s.io/v1",
		"rbac.authorization.k8s.io/v1", "admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1",
		"coordination.k8s.io/v1", "events.k8s.io/v1", "autoscaling/v2"}
	v := "v" + strings.TrimPrefix(version, "v")
	return map[string]interface{}{
		"KubeVersion": kubeVersion{Version: v, Major: parts[0], Minor: parts[1], GitVersion: v},
		"APIVersions": append(builtin, extra...),
		"HelmVersion": map[string]interface{}{"Version": "v3.15.0"},
	}, nil
}

// files is .Files: the chart's files other than templates and the chart's own metadata.
type files map[string][]byte

func (f files) Get(name string) string      { return string(f[name]) }
func (f files) GetBytes(name string) []byte { return f[name] }
func (f files) Lines(name string) []string {
	return strings.Split(strings.TrimRight(string(f[name]), "\n"), "\n")
}
func (f files) Glob(pattern string) files {
	out := files{}
	for name, data := range f {
		if ok, _ := path.Match(pattern, name); ok {
			out[name] = data
		}
	}
	return out
}
func (f files) AsConfig() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = string(data)
	}
	return toYAML(m)
}
func (f files) AsSecrets() string {
	m := map[string]string{}
	for name, data := range f {
		m[path.Base(name)] = sprig.TxtFuncMap()["b64enc"].(func(interface{}) string)(string(data))
	}
	return toYAML(m)
}

func toYAML(v interface{}) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

func fromYAML(text string) map[string]interface{} {
	m := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(text), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}

func fromYAMLArray(text string) []interface{} {
	var a []interface{}
	if err := yaml.Unmarshal([]byte(text), &a); err != nil {
		return []interface{}{err.Error()}
	}
	return a
}

func lookupFunc(objects []map[string]interface{}) func(string, string, string, string) (map[string]interface{}, error) {
	return func(apiVersion, kind, namespace, name string) (map[string]interface{}, error) {
		var items []interface{}
		for _, o := range objects {
			meta, _ := o["metadata"].(map[string]interface{})
			if o["apiVersion"] != apiVersion || o["kind"] != kind {
				continue
			}
			if namespace != "" && meta["namespace"] != namespace {
				continue
			}
			if name == "" {
				items = append(items, o)
			} else if meta["name"] == name {
				return o, nil
			}
		}
		if name == "" {
			return map[string]interface{}{"items": items}, nil
		}
		return map[string]interface{}{}, nil
	}
}

func render(c *chart, values map[string]interface{}, release, caps map[string]interface{},
	objects []map[string]interface{}) (map[string]string, error) {
	root := template.New("root")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env")
	delete(funcs, "expandenv")
	includes := map[string]int{}
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includes[name] > 100 {
			return "", fmt.Errorf("include %q: recursion too deep", name)
		}
		includes[name]++
		defer func() { includes[name]-- }()
		var b bytes.Buffer
		err := root.ExecuteTemplate(&b, name, data)
		return b.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", fmt.Errorf("tpl: %v", err)
		}
		var b bytes.Buffer
		err = t.Execute(&b, data)
		return strings.ReplaceAll(b.String(), "<no value>", ""), err
	}
	funcs["required"] = func(message string, v interface{}) (interface{}, error) {
		if v == nil || v == "" {
			return nil, fmt.Errorf("%s", message)
		}
		return v, nil
	}
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["fromYamlArray"] = fromYAMLArray
	funcs["fromJson"] = fromYAML // JSON is YAML
	funcs["fromJsonArray"] = fromYAMLArray
	funcs["lookup"] = lookupFunc(objects)
	root.Funcs(funcs).Option("missingkey=zero")

	names := make([]string, 0, len(c.templates))
	for n := range c.templates {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if _, err := root.New(n).Parse(c.templates[n]); err != nil {
			return nil, err
		}
	}
	chartMeta := map[string]interface{}{}
	for k, v := range c.metadata { // Helm exposes Chart.yaml with capitalised keys: .Chart.AppVersion
		chartMeta[strings.ToUpper(k[:1])+k[1:]] = v
	}
	out := map[string]string{}
	for _, n := range names {
		if strings.HasPrefix(path.Base(n), "_") {
			continue
		}
		data := map[string]interface{}{
			"Values": values, "Release": release, "Chart": chartMeta, "Capabilities": caps, "Files": c.files,
			"Template": map[string]interface{}{"Name": n, "BasePath": c.name + "/templates"},
		}
		var b bytes.Buffer
		if err := root.ExecuteTemplate(&b, n, data); err != nil {
			return nil, err
		}
		out[n] = strings.ReplaceAll(b.String(), "<no value>", "")
	}
	return out, nil
}
