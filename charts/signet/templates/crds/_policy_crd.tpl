{{- /*
One signet policy CRD. Its spec is a Kyverno policy's spec, carried as is: signet's policy loader
validates it (and names the field that is wrong), so the schema only fixes the top-level shape.
Arguments: dict "root" $ "kind" KIND "plural" PLURAL "scope" Cluster|Namespaced "short" SHORTNAME.
*/}}
{{- define "signet.policyCRD" -}}
{{- $root := .root -}}
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: {{ .plural }}.signet.dev
  labels:
    {{- include "signet.labels" $root | nindent 4 }}
  {{- if $root.Values.crds.keep }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
spec:
  group: signet.dev
  scope: {{ .scope }}
  names:
    kind: {{ .kind }}
    listKind: {{ .kind }}List
    plural: {{ .plural }}
    singular: {{ lower .kind }}
    shortNames: [{{ .short }}]
    categories: [signet, policies]
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources:
        status: {}
      additionalPrinterColumns:
        - name: Action
          type: string
          description: What a failure does (Enforce denies, Audit warns).
          jsonPath: .spec.validationFailureAction
        - name: Background
          type: boolean
          jsonPath: .spec.background
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
      schema:
        openAPIV3Schema:
          description: {{ .description | quote }}
          type: object
          required: [spec]
          properties:
            apiVersion:
              type: string
            kind:
              type: string
            metadata:
              type: object
            spec:
              description: The spec of a Kyverno kyverno.io/v1 ClusterPolicy or Policy (rules with verifyImages or validate.manifests).
              type: object
              required: [rules]
              properties:
                rules:
                  type: array
                  minItems: 1
                  items:
                    type: object
                    required: [name]
                    properties:
                      name:
                        type: string
                        maxLength: 63
                    x-kubernetes-preserve-unknown-fields: true
                validationFailureAction:
                  type: string
                  enum: [Audit, Enforce, audit, enforce]
                background:
                  type: boolean
                webhookTimeoutSeconds:
                  type: integer
                  format: int32
                  minimum: 1
                  maximum: 30
              x-kubernetes-preserve-unknown-fields: true
            status:
              type: object
              x-kubernetes-preserve-unknown-fields: true
{{- end }}
