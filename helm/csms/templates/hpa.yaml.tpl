{{- $root := . }}
{{- $fullname := include "csms.fullname" . }}
{{- range $role := list "edge" "worker" }}
{{- $v := index $root.Values $role }}
{{- if $v.autoscaling.enabled }}
{{- $ctx := dict "root" $root "role" $role }}
{{- if gt (int $v.autoscaling.minReplicas) (int $v.autoscaling.maxReplicas) }}
{{- fail (printf "%s.autoscaling: minReplicas (%v) is above maxReplicas (%v)" $role $v.autoscaling.minReplicas $v.autoscaling.maxReplicas) }}
{{- end }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ $fullname }}-{{ $role }}
  labels:
    {{- include "csms.componentLabels" $ctx | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ $fullname }}-{{ $role }}
  minReplicas: {{ $v.autoscaling.minReplicas }}
  maxReplicas: {{ $v.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $v.autoscaling.targetCPUUtilizationPercentage }}
    {{- with $v.autoscaling.targetMemoryUtilizationPercentage }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ . }}
    {{- end }}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 60
      policies:
        - type: Pods
          value: 2
          periodSeconds: 60
    scaleDown:
      stabilizationWindowSeconds: {{ $v.autoscaling.scaleDownStabilizationSeconds }}
      policies:
        # One pod at a time: an edge leaving reconnects its stations elsewhere, a worker leaving
        # hands its partitions over.
        - type: Pods
          value: 1
          periodSeconds: 120
{{- end }}
{{- end }}
