"""The hand family: models that read the signing hand rather than the whole photo.

- ``geometry``, ``detector``: MediaPipe's palm detector and hand landmark model (TensorFlow-free)
  find the 21 keypoints of the hand in a photo.
- ``keypoints``: keypoints of many photos, on every core, cached; ``detections``: the keypoints
  of a data split and how often a hand was found.
- ``features``, ``classifiers``, ``keypoint_steps``: the keypoint family (keypoints.ipynb),
  classifiers on size-free features of the keypoints.
- ``crops``, ``crop_network``, ``fusion``, ``cascade``: the hand-crop family (handcrop.ipynb),
  a network on square crops around the hand, optionally fused with a keypoint forest (and, where
  no hand is found, the network's answer on the whole photo).
- ``figures``: the family's own plots.
"""
