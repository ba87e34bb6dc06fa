{{- $root := . }}
{{- $fullname := include "csms.fullname" . }}
{{- range $key, $role := include "csms.roles" . | fromYaml }}
{{- $v := index $root.Values $key }}
{{- $ctx := dict "root" $root "role" $role }}
---
# Voluntary disruptions (node drains, upgrades) take at most this many {{ $role }} pods at once.
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $fullname }}-{{ $role }}
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
spec:
  {{- if hasKey $v.podDisruptionBudget "minAvailable" }}
  minAvailable: {{ $v.podDisruptionBudget.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $v.podDisruptionBudget.maxUnavailable | default 1 }}
  {{- end }}
  # A pod that is not ready (crash-looping) must not block a node drain.
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "csms.componentSelector" $ctx | nindent 6 }}
{{- end }}
