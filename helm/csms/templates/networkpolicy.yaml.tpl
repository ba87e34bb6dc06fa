{{- if .Values.networkPolicy.enabled }}
{{- $fullname := include "csms.fullname" . }}
{{- $np := .Values.networkPolicy }}
# Every pod of the release (migrate Job included): traffic among themselves, metrics scraping in;
# DNS, PostgreSQL, NATS and OTLP out. The policies below add what each role serves to others.
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $fullname }}-default
  labels:
    {{- include "csms.labels" . | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "csms.releaseSelector" . | nindent 6 }}
  policyTypes: [Ingress, Egress]
  ingress:
    - from:
        - podSelector:
            matchLabels:
              {{- include "csms.releaseSelector" . | nindent 14 }}
    - ports:
        - port: metrics
          protocol: TCP
      {{- with $np.metricsFrom }}
      from:
        {{- toYaml . | nindent 8 }}
      {{- end }}
  egress:
    - to:
        - podSelector:
            matchLabels:
              {{- include "csms.releaseSelector" . | nindent 14 }}
    - ports:
        - port: 53
          protocol: UDP
        - port: 53
          protocol: TCP
    - ports:
        - port: {{ $np.egress.database.port }}
          protocol: TCP
      {{- with $np.egress.database.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    - ports:
        - port: {{ $np.egress.nats.port }}
          protocol: TCP
      {{- with $np.egress.nats.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- if .Values.tracing.otlpEndpoint }}
    - ports:
        {{- range $np.egress.otlp.ports }}
        - port: {{ . }}
          protocol: TCP
        {{- end }}
      {{- with $np.egress.otlp.to }}
      to:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    {{- end }}
    {{- with $np.egress.extra }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
---
# Stations reach the edges from anywhere (through the load balancer).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $fullname }}-edge
  labels:
    {{- include "csms.componentLabels" (dict "root" . "role" "edge") | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "csms.componentSelector" (dict "root" . "role" "edge") | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: ocpp
          protocol: TCP
{{- with $np.apiFrom }}
---
# Operators and other systems reach the api role (gRPC station API, admin endpoint).
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {{ $fullname }}-api
  labels:
    {{- include "csms.componentLabels" (dict "root" $ "role" "api") | nindent 4 }}
spec:
  podSelector:
    matchLabels:
      {{- include "csms.componentSelector" (dict "root" $ "role" "api") | nindent 6 }}
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: grpc
          protocol: TCP
        - port: admin
          protocol: TCP
      from:
        {{- toYaml . | nindent 8 }}
{{- end }}
{{- end }}
