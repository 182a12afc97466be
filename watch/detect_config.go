package watch

import "fmt"

func configDetections() []Detection {
	return []Detection{{
		ID:          "config-recording-stopped",
		Summary:     "The AWS Config recorder stopped or deleted, or its delivery channel deleted: configuration changes are no longer recorded, so no Config rule sees them.",
		Severity:    High,
		EventSource: "config.amazonaws.com",
		EventNames:  []string{"StopConfigurationRecorder", "DeleteConfigurationRecorder", "DeleteDeliveryChannel"},
		judge: func(c *call) (*verdict, error) {
			if err := c.params.object(); err != nil {
				return nil, err
			}
			var what, name string
			var err error
			switch c.rec.EventName {
			case "StopConfigurationRecorder":
				what = "Configuration recorder %s stopped: configuration changes are no longer recorded."
				name, err = c.params.get("configurationRecorderName").str()
			case "DeleteConfigurationRecorder":
				what = "Configuration recorder %s deleted: configuration changes are no longer recorded."
				name, err = c.params.get("configurationRecorderName").str()
			default:
				what = "Delivery channel %s deleted: AWS Config can no longer deliver configuration history and snapshots."
				name, err = c.params.get("deliveryChannelName").str()
			}
			if err != nil {
				return nil, err
			}
			if name == "" {
				name = "(unnamed in the record)"
			}
			return &verdict{severity: High, summary: fmt.Sprintf(what, name)}, nil
		},
	}}
}
