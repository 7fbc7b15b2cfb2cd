"""Post-processing step (Triton Python backend): boxes and mask areas as one JSON string per image."""

import json

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            boxes = pb_utils.get_input_tensor_by_name(request, "BOXES").as_numpy()
            masks = pb_utils.get_input_tensor_by_name(request, "MASKS").as_numpy()
            results = [
                json.dumps(
                    [
                        {"box": box[:4].tolist(), "score": float(box[4]), "area": int(mask.sum())}
                        for box, mask in zip(image_boxes, image_masks, strict=True)
                    ]
                )
                for image_boxes, image_masks in zip(boxes, masks, strict=True)
            ]
            out = np.array([[r.encode()] for r in results], dtype=np.object_)
            responses.append(pb_utils.InferenceResponse([pb_utils.Tensor("RESULT", out)]))
        return responses
