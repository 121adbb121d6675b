package agents

import (
	"slices"
	"strings"
)

// FieldKind says how a posted form value is read and compared.
type FieldKind int

// Kinds of editor fields.
const (
	Plain   FieldKind = iota // as posted
	Trimmed                  // surrounding spaces dropped (URLs, slugs, numbers)
	Text                     // a textarea: browsers post CRLF, compared with \n
	Lines                    // one item per line, blank lines ignored
	UUID                     // trimmed, compared ignoring case
)

// FormField is one text field of the editor as data: its form name (the agent's JSON
// field of the same name), how it is read, and where Form keeps it. Reading the
// posted form and deciding which fields the person changed both range over
// FormFields, so a new field is one entry here and one input in its section.
type FormField struct {
	Name  string
	Kind  FieldKind
	Value func(*Form) *string
}

// FormFields lists the editor's text fields (checkboxes, pickers, tools and the
// external agent's fields are read beside them).
var FormFields = []FormField{
	{"name", Plain, func(f *Form) *string { return &f.Name }},
	{"description", Text, func(f *Form) *string { return &f.Description }},
	{"logoUrl", Trimmed, func(f *Form) *string { return &f.LogoURL }},
	{"model", Plain, func(f *Form) *string { return &f.Model }},
	{"maxToolRoundtrips", Trimmed, func(f *Form) *string { return &f.MaxToolRoundtrips }},
	{"systemPrompt", Text, func(f *Form) *string { return &f.SystemPrompt }},
	{"stage", Plain, func(f *Form) *string { return &f.Stage }},
	{"emailSlug", Trimmed, func(f *Form) *string { return &f.EmailSlug }},
	{"planningMode", Plain, func(f *Form) *string { return &f.PlanningMode }},
	{"conversationStarters", Lines, func(f *Form) *string { return &f.ConversationStarters }},
	{"contextDocs", Lines, func(f *Form) *string { return &f.ContextDocs }},
	{"inputs", Lines, func(f *Form) *string { return &f.Inputs }},
	{"tinesStoryImportId", UUID, func(f *Form) *string { return &f.TinesStoryImportID }},
}

// ReadForm reads every FormField from the posted values.
func ReadForm(value func(name string) string) Form {
	f := Form{ToolConfigs: map[string]string{}}
	for _, ff := range FormFields {
		v := value(ff.Name)
		if ff.Kind == Trimmed || ff.Kind == UUID {
			v = strings.TrimSpace(v)
		}
		*ff.Value(&f) = v
	}
	return f
}

// Same reports whether the field holds the same value in a and b, as a save would
// store it.
func (ff FormField) Same(a, b *Form) bool {
	x, y := *ff.Value(a), *ff.Value(b)
	switch ff.Kind {
	case Text:
		return crlf(x) == crlf(y)
	case Lines:
		return slices.Equal(SplitLines(crlf(x)), SplitLines(crlf(y)))
	case UUID:
		return strings.EqualFold(x, y)
	}
	return x == y
}

func crlf(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// SplitLines is a one-item-per-line field's items: lines trimmed, blank ones dropped.
func SplitLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// formField is the FormField with that name.
func formField(name string) (FormField, bool) {
	for _, ff := range FormFields {
		if ff.Name == name {
			return ff, true
		}
	}
	return FormField{}, false
}

// Set puts a field's values (as the agent vocabulary gives them: the items of a list,
// "on" for a set flag) into the form; a field the form does not show as text is
// ignored.
func (f *Form) Set(name string, values []string) {
	if name == "showInChat" {
		f.ShowInChat = len(values) > 0 && values[0] != ""
		return
	}
	ff, ok := formField(name)
	if !ok {
		return
	}
	v := strings.Join(values, "\n")
	if ff.Kind != Lines && len(values) > 0 {
		v = values[0]
	}
	*ff.Value(f) = v
}

// Values is a field of the form as the agent vocabulary reads it back: the items of a
// one-item-per-line field, the one value of any other; ok is false for a field the
// form does not hold (checkbox lists, read from the posted values).
func (f *Form) Values(name string) (values []string, ok bool) {
	if name == "showInChat" {
		if f.ShowInChat {
			return []string{"on"}, true
		}
		return nil, true
	}
	ff, ok := formField(name)
	if !ok {
		return nil, false
	}
	if ff.Kind == Lines {
		return SplitLines(*ff.Value(f)), true
	}
	return []string{*ff.Value(f)}, true
}
