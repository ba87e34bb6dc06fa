{{- /* Combinations the schema cannot express. Renders nothing. */}}
{{- if and .Values.nats.enabled (not (hasKey .Subcharts "nats")) }}
{{- fail "nats.enabled=true needs the official NATS chart as a dependency of this chart (docs/deploy.md, \"NATS\"): add it to Chart.yaml and run `helm dependency update`, or set nats.enabled=false and nats.url" }}
{{- end }}
{{- if and .Values.seed.enabled (not .Values.seed.existingSecret) (not .Values.seed.content) }}
{{- fail "seed.enabled=true needs seed.content or seed.existingSecret" }}
{{- end }}
{{- if and (eq .Values.edge.tls.mode "loadBalancer") .Values.edge.tls.caSecretName }}
{{- fail "edge.tls.caSecretName (Security Profile 3) needs edge.tls.mode=passthrough: a load balancer that terminates TLS hides the station certificates from the edge" }}
{{- end }}
{{- if and (ne .Values.edge.tls.mode "passthrough") .Values.edge.tls.ecdsaSecretName }}
{{- fail "edge.tls.ecdsaSecretName needs edge.tls.mode=passthrough: only an edge that terminates TLS serves it (with loadBalancer, the load balancer must offer both certificates)" }}
{{- end }}
{{- if ge (int .Values.stationCa.renewalDays) (int .Values.stationCa.validityDays) }}
{{- fail "stationCa.renewalDays must be less than stationCa.validityDays: every issued certificate would be due for renewal at once" }}
{{- end }}
