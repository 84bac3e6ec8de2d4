/**
 * Humanoid MJCF, written for pgvar from the fact sheet (spec mujoco-models.md §5; Gymnasium
 * humanoid.xml). Degrees; RK4 at 0.003 s with the PGS solver (50 iterations); self-contacts allowed
 * (condim 1), floor contacts condim 3 with friction (1, 0.1, 0.1). The left/right asymmetries of the
 * original (hip_y armature, knee stiffness) are kept. Actuator order differs from joint order.
 * Render-only items (cameras, keyframes, geom user data) are left out: they do not change the physics.
 */
const j = (name: string, axis: string, range: string, stiffness: number, damping: number, armature: number, pos = '0 0 0') =>
  `<joint name="${name}" type="hinge" axis="${axis}" pos="${pos}" range="${range}" stiffness="${stiffness}" damping="${damping}" armature="${armature}"/>`;

export const HUMANOID_XML = `<mujoco model="humanoid">
  <compiler angle="degree" inertiafromgeom="true"/>
  <option integrator="RK4" timestep="0.003" solver="PGS" iterations="50"/>
  <default>
    <joint armature="1" damping="1" limited="true"/>
    <geom contype="1" conaffinity="1" condim="1" margin="0.001"/>
    <motor ctrllimited="true" ctrlrange="-0.4 0.4"/>
  </default>
  <worldbody>
    <geom name="floor" type="plane" pos="0 0 0" size="20 20 0.125" condim="3" friction="1 0.1 0.1"/>
    <body name="torso" pos="0 0 1.4">
      <joint name="root" type="free" pos="0 0 0" armature="0" damping="0" stiffness="0" limited="false"/>
      <geom name="torso1" type="capsule" fromto="0 -0.07 0 0 0.07 0" size="0.07"/>
      <geom name="head" type="sphere" pos="0 0 0.19" size="0.09"/>
      <geom name="uwaist" type="capsule" fromto="-0.01 -0.06 -0.12 -0.01 0.06 -0.12" size="0.06"/>
      <body name="lwaist" pos="-0.01 0 -0.26" quat="1.000 0 -0.002 0">
        <geom name="lwaist" type="capsule" fromto="0 -0.06 0 0 0.06 0" size="0.06"/>
        ${j('abdomen_z', '0 0 1', '-45 45', 20, 5, 0.02, '0 0 0.065')}
        ${j('abdomen_y', '0 1 0', '-75 30', 10, 5, 0.02, '0 0 0.065')}
        <body name="pelvis" pos="0 0 -0.165" quat="1.000 0 -0.002 0">
          ${j('abdomen_x', '1 0 0', '-35 35', 10, 5, 0.02, '0 0 0.1')}
          <geom name="butt" type="capsule" fromto="-0.02 -0.07 0 -0.02 0.07 0" size="0.09"/>
          <body name="right_thigh" pos="0 -0.1 -0.04">
            ${j('right_hip_x', '1 0 0', '-25 5', 10, 5, 0.01)}
            ${j('right_hip_z', '0 0 1', '-60 35', 10, 5, 0.01)}
            ${j('right_hip_y', '0 1 0', '-110 20', 20, 5, 0.008)}
            <geom name="right_thigh1" type="capsule" fromto="0 0 0 0 0.01 -0.34" size="0.06"/>
            <body name="right_shin" pos="0 0.01 -0.403">
              ${j('right_knee', '0 -1 0', '-160 -2', 0, 1, 0.006, '0 0 0.02')}
              <geom name="right_shin1" type="capsule" fromto="0 0 0 0 0 -0.3" size="0.049"/>
              <body name="right_foot" pos="0 0 -0.45">
                <geom name="right_foot" type="sphere" pos="0 0 0.1" size="0.075"/>
              </body>
            </body>
          </body>
          <body name="left_thigh" pos="0 0.1 -0.04">
            ${j('left_hip_x', '-1 0 0', '-25 5', 10, 5, 0.01)}
            ${j('left_hip_z', '0 0 -1', '-60 35', 10, 5, 0.01)}
            ${j('left_hip_y', '0 1 0', '-110 20', 20, 5, 0.01)}
            <geom name="left_thigh1" type="capsule" fromto="0 0 0 0 -0.01 -0.34" size="0.06"/>
            <body name="left_shin" pos="0 -0.01 -0.403">
              ${j('left_knee', '0 -1 0', '-160 -2', 1, 1, 0.006, '0 0 0.02')}
              <geom name="left_shin1" type="capsule" fromto="0 0 0 0 0 -0.3" size="0.049"/>
              <body name="left_foot" pos="0 0 -0.45">
                <geom name="left_foot" type="sphere" pos="0 0 0.1" size="0.075"/>
              </body>
            </body>
          </body>
        </body>
      </body>
      <body name="right_upper_arm" pos="0 -0.17 0.06">
        ${j('right_shoulder1', '2 1 1', '-85 60', 1, 1, 0.0068)}
        ${j('right_shoulder2', '0 -1 1', '-85 60', 1, 1, 0.0051)}
        <geom name="right_uarm1" type="capsule" fromto="0 0 0 0.16 -0.16 -0.16" size="0.04 0.16"/>
        <body name="right_lower_arm" pos="0.18 -0.18 -0.18">
          ${j('right_elbow', '0 -1 1', '-90 50', 0, 1, 0.0028)}
          <geom name="right_larm" type="capsule" fromto="0.01 0.01 0.01 0.17 0.17 0.17" size="0.031"/>
          <geom name="right_hand" type="sphere" pos="0.18 0.18 0.18" size="0.04"/>
        </body>
      </body>
      <body name="left_upper_arm" pos="0 0.17 0.06">
        ${j('left_shoulder1', '2 -1 1', '-60 85', 1, 1, 0.0068)}
        ${j('left_shoulder2', '0 1 1', '-60 85', 1, 1, 0.0051)}
        <geom name="left_uarm1" type="capsule" fromto="0 0 0 0.16 0.16 -0.16" size="0.04 0.16"/>
        <body name="left_lower_arm" pos="0.18 0.18 -0.18">
          ${j('left_elbow', '0 -1 -1', '-90 50', 0, 1, 0.0028)}
          <geom name="left_larm" type="capsule" fromto="0.01 -0.01 0.01 0.17 -0.17 0.17" size="0.031"/>
          <geom name="left_hand" type="sphere" pos="0.18 -0.18 0.18" size="0.04"/>
        </body>
      </body>
    </body>
  </worldbody>
  <tendon>
    <fixed name="left_hipknee">
      <joint joint="left_hip_y" coef="-1"/>
      <joint joint="left_knee" coef="1"/>
    </fixed>
    <fixed name="right_hipknee">
      <joint joint="right_hip_y" coef="-1"/>
      <joint joint="right_knee" coef="1"/>
    </fixed>
  </tendon>
  <actuator>
    <motor name="abdomen_y" joint="abdomen_y" gear="100"/>
    <motor name="abdomen_z" joint="abdomen_z" gear="100"/>
    <motor name="abdomen_x" joint="abdomen_x" gear="100"/>
    <motor name="right_hip_x" joint="right_hip_x" gear="100"/>
    <motor name="right_hip_z" joint="right_hip_z" gear="100"/>
    <motor name="right_hip_y" joint="right_hip_y" gear="300"/>
    <motor name="right_knee" joint="right_knee" gear="200"/>
    <motor name="left_hip_x" joint="left_hip_x" gear="100"/>
    <motor name="left_hip_z" joint="left_hip_z" gear="100"/>
    <motor name="left_hip_y" joint="left_hip_y" gear="300"/>
    <motor name="left_knee" joint="left_knee" gear="200"/>
    <motor name="right_shoulder1" joint="right_shoulder1" gear="25"/>
    <motor name="right_shoulder2" joint="right_shoulder2" gear="25"/>
    <motor name="right_elbow" joint="right_elbow" gear="25"/>
    <motor name="left_shoulder1" joint="left_shoulder1" gear="25"/>
    <motor name="left_shoulder2" joint="left_shoulder2" gear="25"/>
    <motor name="left_elbow" joint="left_elbow" gear="25"/>
  </actuator>
</mujoco>
`;
